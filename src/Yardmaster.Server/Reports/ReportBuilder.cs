using System.Globalization;
using Yardmaster.Core.History;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Reporting;
using Yardmaster.Core.Statistics;
using Yardmaster.Core.Units;

namespace Yardmaster.Server.Reports;

/// <summary>
/// Builds a report from its input: the same statistics as <c>/api/stats?since=&amp;until=</c> over the same window
/// (<see cref="HistoryWindow"/> over the same rollups), plots of requests, latency, SLO, queue, model memory, nodes and
/// runs over time, and the worst offenders. Pure.
/// </summary>
internal static class ReportBuilder
{
    private const string None = "–";

    public static ReportDocument Build(ReportInput input)
    {
        var window = input.Window;
        var stats = HistoryWindow.Statistics(input.Rollups, input.Events);
        var step = Step(window);
        var byTask = HistoryWindow.Series(input.Rollups, step, k => k.Task);
        return new ReportDocument(
            "Yardmaster report",
            $"{window.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {window.Until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({Durations.Format(window.Until - window.Since)}); plots in steps of {Durations.Format(step)}",
            [
                Summary(stats),
                Requests(window, byTask),
                Models(window, stats, input),
                Nodes(window, input.Usage),
                Runs(input),
                WorstOffenders(stats, input),
            ]);
    }

    /// <summary>The plots' step: at most about 120 points per line, whole minutes.</summary>
    public static TimeSpan Step(TimeWindow window) =>
        TimeSpan.FromMinutes(Math.Max(1, Math.Ceiling((window.Until - window.Since).TotalMinutes / 120)));

    private static ReportSection Summary(StatisticsSnapshot stats)
    {
        var all = stats.Tasks.Values.ToList();
        var requests = all.Sum(t => t.Requests);
        var counted = all.Sum(t => t.SloCounted);
        var met = all.Sum(t => t.SloMet);
        var paragraph = requests == 0
            ? "No request in this window."
            : string.Create(CultureInfo.InvariantCulture, $"{requests} requests: {all.Sum(t => t.ByOutcome[nameof(RequestOutcome.Completed)])} completed, {all.Sum(t => t.ByOutcome[nameof(RequestOutcome.Refused)])} refused, {all.Sum(t => t.ByOutcome[nameof(RequestOutcome.TimedOut)])} timed out, {all.Sum(t => t.ByOutcome[nameof(RequestOutcome.Failed)])} failed.")
              + (counted > 0 ? string.Create(CultureInfo.InvariantCulture, $" SLO attainment over tasks with an SLO: {Percent(met / (double)counted)} ({met} of {counted}; refused, timed-out and failed requests count as misses).") : "");
        var table = new ReportTable(
            ["task", "requests", "completed", "refused", "timed out", "failed", "latency p50 ms", "latency p95 ms", "latency p99 ms", "queue p95 ms", "ttft p50 ms", "tokens in", "tokens out", "slo"],
            [.. stats.Tasks.Select(t => (IReadOnlyList<string>)[
                t.Key,
                N(t.Value.Requests),
                N(t.Value.ByOutcome[nameof(RequestOutcome.Completed)]),
                N(t.Value.ByOutcome[nameof(RequestOutcome.Refused)]) + Reasons(t.Value),
                N(t.Value.ByOutcome[nameof(RequestOutcome.TimedOut)]),
                N(t.Value.ByOutcome[nameof(RequestOutcome.Failed)]),
                Ms(t.Value.Latency.Count, t.Value.Latency.P50),
                Ms(t.Value.Latency.Count, t.Value.Latency.P95),
                Ms(t.Value.Latency.Count, t.Value.Latency.P99),
                Ms(t.Value.QueueTime.Count, t.Value.QueueTime.P95),
                Ms(t.Value.TimeToFirstToken.Count, t.Value.TimeToFirstToken.P50),
                N(t.Value.PromptTokens),
                N(t.Value.CompletionTokens),
                t.Value.SloAttainment is { } a ? Percent(a) : None,
            ])],
            "no task had a request in this window");
        return new ReportSection("Tasks", [paragraph], [table], []);
    }

    private static ReportSection Requests(TimeWindow window, IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>> byTask)
    {
        SvgChart.Line Series(string task, IReadOnlyList<SeriesPoint> points, Func<RequestStatistics, double?> value, bool dashed = false, string? suffix = null) =>
            new(task + suffix, [.. points.Select(p => (p.Start, value(p.Statistics))).Where(p => p.Item2 is not null).Select(p => (p.Start, p.Item2!.Value))], dashed);

        var volume = byTask.Select(t => Series(t.Key, t.Value, s => s.Requests)).ToList();
        var latency = byTask.SelectMany(t => new[]
        {
            Series(t.Key, t.Value, s => s.Latency.Count > 0 ? s.Latency.P50 : null, suffix: " p50"),
            Series(t.Key, t.Value, s => s.Latency.Count > 0 ? s.Latency.P95 : null, dashed: true, suffix: " p95"),
        }).ToList();
        var slo = byTask.Select(t => Series(t.Key, t.Value, s => s.SloAttainment * 100)).Where(l => l.Points.Count > 0).ToList();
        var queue = byTask.Select(t => Series(t.Key, t.Value, s => s.QueueTime.Count > 0 ? s.QueueTime.P95 : null)).ToList();
        return new ReportSection(
            "Requests over time",
            [],
            [],
            [
                ("Requests per step, per task", SvgChart.Lines("Requests per step, per task", "requests", window.Since, window.Until, volume)),
                ("Latency p50 and p95, per task", SvgChart.Lines("Latency p50 (solid) and p95 (dashed), per task", "ms", window.Since, window.Until, latency)),
                ("SLO attainment, per task", SvgChart.Lines("SLO attainment, per task", "%", window.Since, window.Until, slo, maxY: 100)),
                ("Queue time p95, per task", SvgChart.Lines("Queue time p95, per task", "ms", window.Since, window.Until, queue)),
            ]);
    }

    private static ReportSection Models(TimeWindow window, StatisticsSnapshot stats, ReportInput input)
    {
        var table = new ReportTable(
            ["model", "requests", "latency p50 ms", "latency p95 ms", "loads", "load time mean ms", "evictions", "memory"],
            [.. stats.Models.Select(m => (IReadOnlyList<string>)[
                m.Key,
                N(m.Value.Requests.Requests),
                Ms(m.Value.Requests.Latency.Count, m.Value.Requests.Latency.P50),
                Ms(m.Value.Requests.Latency.Count, m.Value.Requests.Latency.P95),
                N(m.Value.Loads),
                Ms(m.Value.LoadTime.Count, m.Value.LoadTime.Mean),
                N(m.Value.Evictions),
                m.Value.MemoryBytes is { } b ? ByteSizes.Format(b) : None,
            ])],
            "no model served or loaded in this window");
        var memory = input.Usage.Where(u => u.Resource == "model_memory_bytes").GroupBy(u => u.Node).SelectMany(g => new[]
        {
            new SvgChart.Line(g.Key + " used", [.. g.Select(u => (DateTimeOffset.FromUnixTimeSeconds(u.Minute), u.Allocated / 1048576.0))]),
            new SvgChart.Line(g.Key + " budget", [.. g.Select(u => (DateTimeOffset.FromUnixTimeSeconds(u.Minute), u.Capacity / 1048576.0))], Dashed: true),
        }).ToList();
        var unloads = input.Events.Where(e => e.Kind is "unloaded" or "failed")
            .GroupBy(e => $"{e.Model}: {(e.Kind == "failed" ? "failed" : e.Reason ?? "unloaded")}")
            .Select(g => (g.Key, (double)g.Count())).OrderByDescending(b => b.Item2).ToList();
        var loads = input.Events.Where(e => e.Kind == "loaded").GroupBy(e => e.Model).Select(g => (g.Key, (double)g.Count())).OrderByDescending(b => b.Item2).ToList();
        return new ReportSection(
            "Models",
            [string.Create(CultureInfo.InvariantCulture, $"{input.Events.Count(e => e.Kind == "loaded")} loads, {input.Events.Count(e => e.Reason == "evicted")} evictions, {input.Events.Count(e => e.Kind == "failed")} failures.")],
            [table],
            [
                ("Model memory per device", SvgChart.Lines("Model memory per device (dashed: budget)", "MiB", window.Since, window.Until, memory)),
                ("Loads per model", SvgChart.Bars("Loads per model", "loads", loads)),
                ("Unloads and failures, by reason", SvgChart.Bars("Unloads and failures, by model and reason", "times", unloads)),
            ]);
    }

    private static ReportSection Nodes(TimeWindow window, IReadOnlyList<UsageSample> usage)
    {
        SvgChart.Line Share(string node, string resource, IEnumerable<UsageSample> samples) =>
            new($"{node} {resource}", [.. samples.Where(u => u.Capacity > 0).Select(u => (DateTimeOffset.FromUnixTimeSeconds(u.Minute), 100.0 * u.Allocated / u.Capacity))]);

        var lines = usage.Where(u => u.Resource is "cpu_millis" or "memory_bytes" or "gpus").GroupBy(u => (u.Node, u.Resource))
            .Select(g => Share(g.Key.Node, g.Key.Resource switch { "cpu_millis" => "cpu", "memory_bytes" => "memory", _ => "gpus" }, g))
            .Where(l => l.Points.Count > 0).ToList();
        return new ReportSection("Nodes", [], [], [("Allocated share per node and resource", SvgChart.Lines("Allocated to steps and models, per node and resource", "%", window.Since, window.Until, lines, maxY: 100))]);
    }

    private static ReportSection Runs(ReportInput input)
    {
        var table = new ReportTable(
            ["pipeline", "runs", "succeeded", "failed", "cancelled", "running", "duration mean s", "duration max s"],
            [.. input.Runs.GroupBy(r => r.Run.Pipeline).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var durations = g.Where(r => r.Run.EndedAt is not null).Select(r => (r.Run.EndedAt!.Value - r.Run.CreatedAt).TotalSeconds).ToList();
                return (IReadOnlyList<string>)[
                    g.Key,
                    N(g.Count()),
                    N(g.Count(r => r.Run.State == RunState.Succeeded)),
                    N(g.Count(r => r.Run.State == RunState.Failed)),
                    N(g.Count(r => r.Run.State == RunState.Cancelled)),
                    N(g.Count(r => r.Run.State == RunState.Running)),
                    durations.Count > 0 ? SvgChart.Format(durations.Average()) : None,
                    durations.Count > 0 ? SvgChart.Format(durations.Max()) : None,
                ];
            })],
            "no run was submitted in this window");
        var durations = input.Runs.Where(r => r.Run.EndedAt is not null).GroupBy(r => r.Run.Pipeline)
            .Select(g => (g.Key, g.Average(r => (r.Run.EndedAt!.Value - r.Run.CreatedAt).TotalSeconds))).OrderByDescending(b => b.Item2).ToList();
        var reasons = input.Runs.SelectMany(r => r.Attempts).Where(a => a.Outcome is not (AttemptOutcome.Succeeded or AttemptOutcome.Running))
            .GroupBy(a => FailureKind(a.Outcome, a.ExitCode)).Select(g => (g.Key, (double)g.Count())).OrderByDescending(b => b.Item2).ToList();
        List<string> paragraphs = input.RunsTruncated ? [$"Only the newest {ReportInput.MaxRuns} runs of the window are counted."] : [];
        return new ReportSection(
            "Runs",
            paragraphs,
            [table],
            [
                ("Run duration per pipeline", SvgChart.Bars("Mean run duration per pipeline", "s", durations)),
                ("Failed attempts by reason", SvgChart.Bars("Attempts that did not succeed, by reason", "attempts", reasons)),
            ]);
    }

    private static ReportSection WorstOffenders(StatisticsSnapshot stats, ReportInput input)
    {
        var tasks = new ReportTable(
            ["task", "slo", "misses", "most common reason"],
            [.. stats.Tasks.Where(t => t.Value.SloAttainment < 1).OrderBy(t => t.Value.SloAttainment).Take(5).Select(t => (IReadOnlyList<string>)[
                t.Key,
                Percent(t.Value.SloAttainment!.Value),
                N(t.Value.SloCounted - t.Value.SloMet),
                t.Value.Reasons.Count > 0 ? t.Value.Reasons.MaxBy(r => r.Value).Key : "completed late",
            ])],
            "every task with an SLO met it");
        var steps = new ReportTable(
            ["pipeline / step", "failed attempts", "of attempts", "last reason"],
            [.. input.Runs.SelectMany(r => r.Attempts.Select(a => (r.Run.Pipeline, Attempt: a)))
                .GroupBy(x => $"{x.Pipeline} / {x.Attempt.StepId}")
                .Select(g => (Name: g.Key, Failed: g.Where(x => x.Attempt.Outcome is not (AttemptOutcome.Succeeded or AttemptOutcome.Running or AttemptOutcome.Cancelled or AttemptOutcome.Preempted)).ToList(), All: g.Count()))
                .Where(x => x.Failed.Count > 0)
                .OrderByDescending(x => x.Failed.Count).ThenBy(x => x.Name, StringComparer.Ordinal).Take(5)
                .Select(x => (IReadOnlyList<string>)[x.Name, N(x.Failed.Count), N(x.All), x.Failed.MaxBy(f => f.Attempt.StartedAt).Attempt.Reason ?? FailureKind(x.Failed[^1].Attempt.Outcome, x.Failed[^1].Attempt.ExitCode)])],
            "no step failed");
        return new ReportSection("Worst offenders", [], [tasks, steps], []);
    }

    private static string FailureKind(AttemptOutcome outcome, int? exitCode) => outcome switch
    {
        AttemptOutcome.Failed when exitCode is { } code => $"exit code {code}",
        AttemptOutcome.TimedOut => "timed out",
        AttemptOutcome.OomKilled => "out of memory",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static string Reasons(RequestStatistics s) =>
        s.Reasons.Count == 0 ? "" : " (" + string.Join(", ", s.Reasons.Select(r => $"{r.Key} {r.Value}")) + ")";

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Ms(long count, double ms) => count == 0 ? None : ms.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
