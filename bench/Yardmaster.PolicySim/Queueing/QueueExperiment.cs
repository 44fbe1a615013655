using System.Text;
using Yardmaster.Core.Queueing;
using Yardmaster.PolicySim.Reporting;
using Yardmaster.PolicySim.Traces;

namespace Yardmaster.PolicySim.Queueing;

/// <summary>Experiment 1: <c>fair</c> against <c>fcfs</c> on the Azure conversation trace at several utilizations.</summary>
internal static class QueueExperiment
{
    public static IReadOnlyList<double> Utilizations { get; } = [0.8, 0.95, 1.1];

    /// <summary>The default (per-class aging bounds), the baseline, and the fair queue with one 30 s bound for every class (the first default, which the first run of this experiment showed to hurt `search`).</summary>
    public static IReadOnlyList<(string Label, string Policy, QueueOptions? Aging)> Variants { get; } =
    [
        ("fair", "fair", null),
        ("fcfs", "fcfs", null),
        ("fair, one 30 s bound", "fair", new QueueOptions(TimeSpan.FromSeconds(30))),
    ];

    /// <summary>Runs every utilization and policy and appends the markdown section to <paramref name="report"/>.</summary>
    public static void Run(string tracesDir, StringBuilder report)
    {
        var (trace, epoch) = AzureConvTrace.Read(Path.Combine(tracesDir, AzureConvTrace.FileName));
        var model = ServiceModel.Default;
        var tasks = SimTask.Defaults;
        var work = trace.Sum(r => model.Service(r.ContextTokens, r.GeneratedTokens).TotalSeconds);
        var span = trace[^1].Offset.TotalSeconds;

        report.AppendLine("## 1. Queueing: fair against fcfs (Azure LLM conversation trace)").AppendLine();
        report.AppendLine($"Trace: `{AzureConvTrace.FileName}`, all {Fmt.Int(trace.Count)} rows ({Fmt.Seconds(span)} s from the first to the last arrival). "
            + $"One model, {model.Slots} slots. Service time = {Fmt.Number(model.PrefillPerToken.TotalMilliseconds, "0.##")} ms × ContextTokens + "
            + $"{Fmt.Number(model.DecodePerToken.TotalMilliseconds, "0.##")} ms × GeneratedTokens (mean {Fmt.Seconds(work / trace.Count)} s; total work {Fmt.Int((long)work)} slot-seconds). "
            + $"Fair queue aging bounds: the server's defaults, {model.Aging.MaxWait.TotalSeconds} s, " + string.Join(", ", model.Aging.MaxWaitByClass.OrderBy(b => b.Key).Select(b => $"{b.Key} {b.Value.TotalMinutes} min"))
            + " (a third run with one 30 s bound for every class, the first default, shows why the bounds differ by class); weights 1; cost = GeneratedTokens (the gateway charges `max_tokens`).");
        report.AppendLine();
        report.AppendLine("Tasks, by `SplitMix64(row index) mod 100`: "
            + string.Join("; ", tasks.Select(t => $"`{t.Name}` {t.Priority} {t.Percent}%, SLO {FormatSlo(t.Slo)}")) + ".");
        report.AppendLine();
        report.AppendLine("Utilization ρ = total work ÷ (slots × scaled span); arrival offsets are multiplied by the time scale to reach it "
            + "(at its own pace the trace offers ρ = " + Fmt.Number(work / (model.Slots * span), "0.00") + " to 8 slots, so every scale here stretches it). "
            + "A request still queued at its deadline is removed (the server's 504); a dispatched one runs to the end. No admission control. "
            + "Queue times are over served requests; `ceiling` is the share whose service time alone fits the SLO (the best any queue can attain).");
        report.AppendLine();

        var summary = new List<(double Rho, string Policy, IReadOnlyList<TaskOutcome> Outcomes)>();
        foreach (var rho in Utilizations)
        {
            var scale = work / (model.Slots * span * rho);
            report.AppendLine($"### ρ = {Fmt.Number(rho, "0.00")} (time scale × {Fmt.Number(scale, "0.000")}, mean inter-arrival {Fmt.Number(span * scale / trace.Count * 1000, "0")} ms)").AppendLine();
            report.AppendLine("| task | policy | served | expired | p50 queue s | p95 queue s | p99 queue s | max wait s | waited > its bound | deadline met | ceiling |");
            report.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            var runs = Variants
                .Select(v => (Policy: v.Label, Outcomes: QueueSimulation.Run(QueuePolicies.Create(v.Policy)!, trace, epoch, scale, tasks, model with { Aging = v.Aging ?? model.Aging })))
                .ToList();
            for (var t = 0; t < tasks.Count; t++)
            {
                foreach (var (policy, outcomes) in runs)
                {
                    var o = outcomes[t];
                    report.AppendLine($"| {o.Task.Name} | {policy} | {Fmt.Int(o.Served)} / {Fmt.Int(o.Arrived)} | {Fmt.Int(o.Expired)} | {Fmt.Seconds(o.QueueP50)} | {Fmt.Seconds(o.QueueP95)} | {Fmt.Seconds(o.QueueP99)} | {Fmt.Seconds(o.MaxWait)} | {Fmt.Int(o.OverMaxWait)} | {Fmt.Percent((double)o.Attained / o.Arrived)} | {Fmt.Percent((double)o.Ceiling / o.Arrived)} |");
                }
            }

            foreach (var (policy, outcomes) in runs)
            {
                var arrived = outcomes.Sum(o => o.Arrived);
                report.AppendLine($"| **all** | {policy} | {Fmt.Int(outcomes.Sum(o => o.Served))} / {Fmt.Int(arrived)} | {Fmt.Int(outcomes.Sum(o => o.Expired))} | | | | {Fmt.Seconds(outcomes.Max(o => o.MaxWait))} | {Fmt.Int(outcomes.Sum(o => o.OverMaxWait))} | {Fmt.Percent((double)outcomes.Sum(o => o.Attained) / arrived)} | {Fmt.Percent((double)outcomes.Sum(o => o.Ceiling) / arrived)} |");
                summary.Add((rho, policy, outcomes));
            }

            report.AppendLine();
        }

        report.AppendLine("### Summary: p95 queue time (s) and deadline attainment per task, fair / fcfs (fair with one 30 s bound)").AppendLine();
        report.AppendLine("| ρ | " + string.Join(" | ", tasks.Select(t => $"{t.Name} p95 | {t.Name} met")) + " |");
        report.AppendLine("|---|" + string.Concat(tasks.Select(_ => "--:|--:|")));
        foreach (var rho in Utilizations)
        {
            var fair = summary.Single(s => s.Rho == rho && s.Policy == Variants[0].Label).Outcomes;
            var fcfs = summary.Single(s => s.Rho == rho && s.Policy == Variants[1].Label).Outcomes;
            var longer = summary.Single(s => s.Rho == rho && s.Policy == Variants[2].Label).Outcomes;
            var cells = tasks.Select((_, t) =>
                $"{Fmt.Seconds(fair[t].QueueP95)} / {Fmt.Seconds(fcfs[t].QueueP95)} ({Fmt.Seconds(longer[t].QueueP95)}) | {Attainment(fair[t])} / {Attainment(fcfs[t])} ({Attainment(longer[t])})");
            report.AppendLine($"| {Fmt.Number(rho, "0.00")} | " + string.Join(" | ", cells) + " |");
        }

        report.AppendLine();
        var losses = summary
            .Where(s => s.Policy == Variants[0].Label)
            .SelectMany(s => tasks.Select((t, i) => (s.Rho, Task: t.Name, Fair: s.Outcomes[i], Fcfs: summary.Single(f => f.Rho == s.Rho && f.Policy == Variants[1].Label).Outcomes[i])))
            .Where(x => x.Fair.Attained < x.Fcfs.Attained)
            .Select(x => $"{x.Task} at ρ = {Fmt.Number(x.Rho, "0.00")} ({Attainment(x.Fair)} against {Attainment(x.Fcfs)})")
            .ToList();
        report.AppendLine(losses.Count == 0
            ? "Where `fair` (default) attains fewer deadlines than `fcfs`: nowhere."
            : "Where `fair` (default) attains fewer deadlines than `fcfs`: " + string.Join("; ", losses) + ".");
        report.AppendLine();
    }

    private static string Attainment(TaskOutcome o) => Fmt.Percent((double)o.Attained / o.Arrived);

    private static string FormatSlo(TimeSpan slo) => slo.TotalMinutes >= 1 ? $"{slo.TotalMinutes} min" : $"{slo.TotalSeconds} s";
}
