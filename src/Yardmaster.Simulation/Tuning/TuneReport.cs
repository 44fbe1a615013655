using System.Globalization;
using System.Text;

namespace Yardmaster.Simulation.Tuning;

/// <summary>What <c>yard tune</c> prints: the best configuration found as a diff against the current one, and the predicted change per task with its spread over the seeds.</summary>
internal static class TuneReport
{
    public static string Write(TuneResult result, TuneObjective objective, double load, int seeds, IReadOnlyList<(string Task, string Class, string Slo)> tasks)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var unit = objective == TuneObjective.Goodput ? " req/s" : "";
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"yard tune: {result.Evaluated} configurations simulated in {result.Elapsed.TotalSeconds:0.0} s ({(result.Complete ? "search complete: no single change improves the best" : "stopped by --budget")}); objective {objective.ToString().ToLowerInvariant()} at load {load:0.##}x over {seeds} seed(s)"));
        if (result.Best.Candidate == result.Current.Candidate)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"no change predicted better: the current configuration scores {result.Current.Mean:0.###}{unit}"));
        }
        else
        {
            var gains = result.Gains;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"best found: {result.Best.Mean:0.###}{unit} against {result.Current.Mean:0.###}{unit} now; better on {gains.Count(g => g > 0)} of {gains.Count} seeds (gain {gains.Min():+0.###;-0.###} to {gains.Max():+0.###;-0.###}){(result.Confident ? "" : "; not better on every seed, so not a confident change")}"));
            text.AppendLine();
            Diff(text, "scheduler:", result.Current.Candidate.Yaml(), result.Best.Candidate.Yaml(), all: true);
            Diff(text, "tasks:", result.Current.Candidate.Knobs.TaskLines(), result.Best.Candidate.Knobs.TaskLines(), all: false);
            Diff(text, "models:", result.Current.Candidate.Knobs.ModelLines(), result.Best.Candidate.Knobs.ModelLines(), all: false);
        }

        text.AppendLine();
        text.AppendLine("| task | class | SLO | attainment now | predicted | goodput now (req/s) | predicted |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (task, priority, slo) in tasks)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {task} | {priority} | {slo} | {Pct(result.Current.Attainment, task)} | {Pct(result.Best.Attainment, task)} | {result.Current.Goodput.GetValueOrDefault(task):0.###} | {result.Best.Goodput.GetValueOrDefault(task):0.###} |"));
        }

        return text.ToString();
    }

    /// <summary>The lines of one section, the changed ones as - and +; with <paramref name="all"/> false, only the changed ones (and nothing when none is).</summary>
    private static void Diff(StringBuilder text, string section, IReadOnlyList<string> now, IReadOnlyList<string> best, bool all)
    {
        if (!all && now.SequenceEqual(best))
        {
            return;
        }

        text.AppendLine(" " + section);
        foreach (var (was, becomes) in now.Zip(best))
        {
            if (was != becomes)
            {
                text.AppendLine("-" + was).AppendLine("+" + becomes);
            }
            else if (all)
            {
                text.AppendLine(" " + was);
            }
        }
    }

    private static string Pct(IReadOnlyDictionary<string, double> attainment, string task) =>
        attainment.TryGetValue(task, out var a) ? string.Create(CultureInfo.InvariantCulture, $"{a * 100:0.0}%") : "-";
}
