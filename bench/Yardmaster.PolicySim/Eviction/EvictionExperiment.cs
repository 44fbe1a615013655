using System.Text;
using Yardmaster.Core.Models;
using Yardmaster.PolicySim.Reporting;
using Yardmaster.PolicySim.Traces;

namespace Yardmaster.PolicySim.Eviction;

/// <summary>Experiment 2: <c>gdsf</c> against <c>lru</c> on the Alibaba GenAI trace at several memory budgets.</summary>
internal static class EvictionExperiment
{
    public static IReadOnlyList<double> BudgetFractions { get; } = [0.1, 0.2, 0.3];

    public static IReadOnlyList<string> Policies { get; } = ["gdsf", "lru"];

    public static IReadOnlyList<SizeRule> Rules { get; } = [SizeRule.Independent, SizeRule.Proportional];

    /// <summary>Runs every size rule, budget and policy and appends the markdown section to <paramref name="report"/>.</summary>
    public static void Run(string tracesDir, StringBuilder report)
    {
        var requests = AlibabaGenAiTrace.ReadRequests(Path.Combine(tracesDir, AlibabaGenAiTrace.RequestFile));
        var latencies = AlibabaGenAiTrace.ReadLoadLatencies(Path.Combine(tracesDir, AlibabaGenAiTrace.LatencyFile));
        var ids = requests.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).ToList();

        report.AppendLine("## 2. Eviction: gdsf against lru (Alibaba GenAI LoRA trace)").AppendLine();
        report.AppendLine($"Trace: `{AlibabaGenAiTrace.RequestFile}`, all {Fmt.Int(requests.Count)} rows (every `predict_status`), "
            + $"{requests[0].At:yyyy-MM-dd HH:mm} to {requests[^1].At:yyyy-MM-dd HH:mm}, {ids.Count} distinct models (`checkpoint_model_version_id`), replayed in `gmt_create` order at their own pace. "
            + $"Load times from `{AlibabaGenAiTrace.LatencyFile}` ({Fmt.Int(latencies.Count)} values, median {Fmt.Seconds(latencies[latencies.Count / 2].TotalSeconds)} s). "
            + "Hashes are FNV-1a of the id mixed by SplitMix64 with a salt (1 for the load time, 2 for the size).");
        report.AppendLine();
        report.AppendLine("One device whose budget holds the stated share of the distinct models' total size. A miss loads the model, evicting by the policy's "
            + "`Choose` when it does not fit; replicas are Ready, in flight (not evictable) from a request's arrival until it ends (after the load on a miss, "
            + "then `exec_time_seconds`); `OnUse` on every request served. GDSF with the server's default (frequency half-life 1 h). "
            + "Hit = the model was resident at arrival. `refused` = a miss with every resident replica busy (not served, not loaded). "
            + $"Any policy pays at least {ids.Count} loads (each model's first request).");
        report.AppendLine();

        var summary = new List<(string Rule, double Fraction, EvictionOutcome Gdsf, EvictionOutcome Lru)>();
        foreach (var rule in Rules)
        {
            var models = ids.ToDictionary(id => id, id => rule.Draw(id, latencies), StringComparer.Ordinal);
            var total = models.Values.Sum(m => m.Bytes);
            report.AppendLine($"### Sizes `{rule.Name}`: {rule.Description}").AppendLine();
            report.AppendLine($"Total of the {ids.Count} models: {Fmt.Number(total / (double)(1L << 30), "0.0")} GiB; largest {Fmt.Number(models.Values.Max(m => m.Bytes) / (double)(1L << 30), "0.0")} GiB.");
            report.AppendLine();
            report.AppendLine("| budget | policy | hit ratio | loads | total load time h | bytes loaded TiB | evictions | refused |");
            report.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|");
            foreach (var fraction in BudgetFractions)
            {
                var budget = (long)(total * fraction);
                var outcomes = Policies.Select(name => EvictionSimulation.Run(EvictionPolicies.Create(name)!, requests, models, budget)).ToList();
                summary.Add((rule.Name, fraction, outcomes[0], outcomes[1]));
                foreach (var (name, o) in Policies.Zip(outcomes))
                {
                    report.AppendLine($"| {Fmt.Percent(fraction)} ({Fmt.Number(budget / (double)(1L << 30), "0.0")} GiB) | {name} | {Fmt.Percent((double)o.Hits / o.Requests)} | {Fmt.Int(o.Loads)} | {Fmt.Number(o.LoadTime.TotalHours, "0.00")} | {Fmt.Number(o.BytesLoaded / (double)(1L << 40), "0.00")} | {Fmt.Int(o.Evictions)} | {Fmt.Int(o.Refused)} |");
                }
            }

            report.AppendLine();
        }

        report.AppendLine("### Summary: gdsf against lru").AppendLine();
        report.AppendLine("| sizes | budget | load time h gdsf / lru | change | hit ratio gdsf / lru | loads gdsf / lru |");
        report.AppendLine("|---|---|--:|--:|--:|--:|");
        foreach (var (rule, fraction, gdsf, lru) in summary)
        {
            report.AppendLine($"| {rule} | {Fmt.Percent(fraction)} | {Fmt.Number(gdsf.LoadTime.TotalHours, "0.00")} / {Fmt.Number(lru.LoadTime.TotalHours, "0.00")} | "
                + $"{Fmt.Number((gdsf.LoadTime / lru.LoadTime) - 1, "+0.0%;-0.0%")} | {Fmt.Percent((double)gdsf.Hits / gdsf.Requests)} / {Fmt.Percent((double)lru.Hits / lru.Requests)} | {Fmt.Int(gdsf.Loads)} / {Fmt.Int(lru.Loads)} |");
        }

        report.AppendLine();
    }
}
