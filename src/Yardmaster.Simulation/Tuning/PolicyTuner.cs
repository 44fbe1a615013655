using System.Diagnostics;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tuning;

/// <summary>
/// <c>yard tune</c>'s search: coordinate descent over the scheduler parameters of <see cref="TuneCandidate"/>, each
/// candidate scored by simulating the trace (<see cref="LlmWorkload"/>, the server's own passes) under several draws of
/// the task split (seeds), starting from the configuration as it is, moving to the best neighbour along one parameter at
/// a time while one is better, until none is or the budget is spent. Deterministic for its inputs (the budget aside).
/// </summary>
internal static class PolicyTuner
{
    /// <summary>The values tried for each parameter (besides the current one).</summary>
    public static IReadOnlyList<string> Queues { get; } = ["fair", "fcfs"];

    public static IReadOnlyList<TimeSpan> DefaultWaits { get; } = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];

    public static IReadOnlyList<TimeSpan> LowWaits { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)];

    public static IReadOnlyList<TimeSpan> BatchWaits { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)];

    public static IReadOnlyList<int> MaxQueues { get; } = [256, 1024, 4096];

    /// <param name="trace">The requests.</param>
    /// <param name="config">The configuration to improve (null: the server's defaults).</param>
    /// <param name="objective">What to maximize.</param>
    /// <param name="load">The load the trace is replayed at.</param>
    /// <param name="seeds">Draws of the task split each candidate is simulated under.</param>
    /// <param name="budget">Wall time after which the search stops with the best so far.</param>
    public static TuneResult Tune(IReadOnlyList<TraceRequest> trace, YardConfig? config, TuneObjective objective, double load, int seeds, TimeSpan budget)
    {
        var stopwatch = Stopwatch.StartNew();
        var workloads = Enumerable.Range(0, seeds).Select(s => new LlmWorkload(trace, config, (ulong)s)).ToList();
        var baseSettings = workloads[0].Scheduler;
        var seen = new Dictionary<TuneCandidate, TuneEvaluation>();
        TuneEvaluation Evaluate(TuneCandidate candidate)
        {
            if (!seen.TryGetValue(candidate, out var evaluation))
            {
                evaluation = Score(workloads, candidate, candidate.Apply(baseSettings), objective, load);
                seen[candidate] = evaluation;
            }

            return evaluation;
        }

        var current = Evaluate(TuneCandidate.From(baseSettings));
        var best = current;
        var complete = false;
        while (stopwatch.Elapsed < budget)
        {
            var improved = false;
            foreach (var neighbour in Neighbours(best.Candidate))
            {
                if (stopwatch.Elapsed >= budget)
                {
                    break;
                }

                var evaluation = Evaluate(neighbour);
                if (evaluation.Mean > best.Mean + 1e-9)
                {
                    best = evaluation;
                    improved = true;
                }
            }

            if (!improved)
            {
                complete = stopwatch.Elapsed < budget;
                break;
            }
        }

        return new TuneResult(current, best, seen.Count, stopwatch.Elapsed, complete);
    }

    /// <summary>The candidates that differ from <paramref name="c"/> in one parameter.</summary>
    private static IEnumerable<TuneCandidate> Neighbours(TuneCandidate c)
    {
        foreach (var q in Queues.Where(q => q != c.Queue))
        {
            yield return c with { Queue = q };
        }

        foreach (var w in BatchWaits.Where(w => w != c.BatchWait))
        {
            yield return c with { BatchWait = w };
        }

        foreach (var w in LowWaits.Where(w => w != c.LowWait))
        {
            yield return c with { LowWait = w };
        }

        foreach (var w in DefaultWaits.Where(w => w != c.DefaultWait))
        {
            yield return c with { DefaultWait = w };
        }

        foreach (var m in MaxQueues.Where(m => m != c.MaxQueue))
        {
            yield return c with { MaxQueue = m };
        }
    }

    private static TuneEvaluation Score(List<LlmWorkload> workloads, TuneCandidate candidate, SchedulerSettings settings, TuneObjective objective, double load)
    {
        var scores = new List<double>(workloads.Count);
        var attainment = new Dictionary<string, double>(StringComparer.Ordinal);
        var goodput = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var workload in workloads)
        {
            var policy = new SimPolicies("tune", settings.Queue, settings.Eviction, settings.Routing, Admission: true);
            var (results, duration) = workload.Simulate(policy, load, settings);
            var run = results.Build("tune", [], duration);
            scores.Add(objective == TuneObjective.Goodput ? run.All.Goodput : Weighted(run, workload.Tasks));
            foreach (var task in run.Tasks)
            {
                attainment[task.Task] = attainment.GetValueOrDefault(task.Task) + ((task.SloAttainment ?? 0) / workloads.Count);
                goodput[task.Task] = goodput.GetValueOrDefault(task.Task) + (task.Goodput / workloads.Count);
            }
        }

        return new TuneEvaluation(candidate, scores, attainment, goodput);
    }

    /// <summary>Attainment weighted by class (critical 16 … batch 1), 0 to 1.</summary>
    private static double Weighted(RunSummary run, List<TaskDefinition> tasks)
    {
        double sum = 0, weights = 0;
        foreach (var task in run.Tasks)
        {
            var priority = tasks.First(t => t.Name == task.Task).Priority;
            var weight = Math.Pow(2, PriorityClasses.All.Count - 1 - PriorityClasses.All.ToList().IndexOf(priority));
            sum += weight * (task.SloAttainment ?? 0);
            weights += weight;
        }

        return weights == 0 ? 0 : sum / weights;
    }
}
