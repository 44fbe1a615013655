using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;

namespace Yardmaster.Simulation.Tuning;

/// <summary>
/// The decisions of <c>scheduler.adapt</c>, pure over the request log: what a window of it measured, which change the
/// simulation of it predicts better by the margin (if any), and whether a change measured worse. The server does the I/O.
/// </summary>
internal static class AdaptPlanner
{
    /// <summary>
    /// Searches the settings within <paramref name="adapt"/>'s bounds by replaying <paramref name="rows"/> (one window of
    /// the request log) through <paramref name="config"/>'s tasks and models under its scheduler settings (those in force).
    /// A model without a declared <c>simulation:</c> token model is served at the rates its own rows measured.
    /// </summary>
    public static AdaptProposal Propose(IReadOnlyList<RequestLogRecord> rows, YardConfig config, AdaptSettings adapt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(adapt);
        var fitted = Fitted(config, rows);
        var objective = TuneScore.Parse(adapt.Objective);
        var result = PolicyTuner.Tune(RequestLogReplay.Trace(rows), fitted, objective, load: 1.0, adapt.Seeds, adapt.Budget, TuneSpace.Within(adapt.Bounds));
        var apply = result.Best.Candidate != result.Current.Candidate && result.Gains.All(g => g > adapt.Margin);
        return new AdaptProposal(result, apply ? result.Best.Candidate.Apply(config.Scheduler) : null);
    }

    /// <summary><paramref name="config"/> with each model that declares no <c>simulation:</c> token model given the one its rows measured (when they can say).</summary>
    public static YardConfig Fitted(YardConfig config, IReadOnlyList<RequestLogRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config with { Models = [.. config.Models.Select(m => m.Simulation is null ? m with { Simulation = RequestLogReplay.Speed(rows.Where(r => r.Model == m.Name)) } : m)] };
    }

    /// <summary>What <paramref name="rows"/> (the log of [<paramref name="since"/>, <paramref name="until"/>)) measured, scored as a simulation is.</summary>
    public static AdaptMeasurement Measure(IReadOnlyList<RequestLogRecord> rows, IReadOnlyList<TaskDefinition> tasks, TuneObjective objective, DateTimeOffset since, DateTimeOffset until)
    {
        var run = RequestLogReplay.Measured(rows, tasks, until - since);
        return new AdaptMeasurement(
            since,
            until,
            rows.Count,
            TuneScore.Of(run, objective, tasks),
            run.Tasks.Where(t => t.SloAttainment is not null).ToDictionary(t => t.Task, t => t.SloAttainment!.Value, StringComparer.Ordinal));
    }

    /// <summary>True when <paramref name="after"/> scored worse than <paramref name="before"/> by more than <paramref name="margin"/>: the change is reverted.</summary>
    public static bool Worse(AdaptMeasurement before, AdaptMeasurement after, double margin)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return after.Score < before.Score - margin;
    }
}
