using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Reporting;

namespace Yardmaster.Simulation.Tuning;

/// <summary>The objective of a run, simulated or measured: the same figure on both sides, so a prediction can be checked.</summary>
internal static class TuneScore
{
    /// <summary><paramref name="run"/>'s <paramref name="objective"/>: goodput over every task, or attainment weighted by class (0 to 1).</summary>
    public static double Of(RunSummary run, TuneObjective objective, IReadOnlyList<TaskDefinition> tasks)
    {
        ArgumentNullException.ThrowIfNull(run);
        return objective == TuneObjective.Goodput ? run.All.Goodput : Weighted(run, tasks);
    }

    /// <summary>Attainment weighted by class (critical 16 … batch 1), 0 to 1; a task <paramref name="tasks"/> does not name counts as normal.</summary>
    private static double Weighted(RunSummary run, IReadOnlyList<TaskDefinition> tasks)
    {
        double sum = 0, weights = 0;
        foreach (var task in run.Tasks)
        {
            if (task.SloAttainment is not { } attainment)
            {
                continue; // no SLO, or nothing counted: neither met nor missed
            }

            var priority = tasks.FirstOrDefault(t => t.Name == task.Task)?.Priority ?? PriorityClass.Normal;
            var weight = Math.Pow(2, PriorityClasses.All.Count - 1 - PriorityClasses.All.ToList().IndexOf(priority));
            sum += weight * attainment;
            weights += weight;
        }

        return weights == 0 ? 0 : sum / weights;
    }

    /// <summary>Parses <c>slo</c> or <c>goodput</c>.</summary>
    public static TuneObjective Parse(string name) => name == "goodput" ? TuneObjective.Goodput : TuneObjective.Slo;
}
