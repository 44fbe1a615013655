using System.Globalization;
using Yardmaster.Core.Placement.GpuSharing;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Gpu;

/// <summary>
/// <c>yard simulate --format alibaba-gpu</c>: pods of the openb trace placed on its nodes by each placement policy, the
/// paper's arrival-only experiment (see <see cref="GpuExperiment"/>). Always runs fgd, best-fit and first-fit;
/// <c>--policy placement=NAME</c> adds another and makes it the one compared with best-fit; <c>placement=all</c> runs
/// every known policy.
/// </summary>
internal static class GpuSimulationRunner
{
    /// <summary>Arrival sequences per run.</summary>
    public const int Repetitions = 10;

    /// <summary>Arrivals stop at this percent of the GPU capacity unless <c>--load-scale</c> says otherwise (the paper's 130%).</summary>
    public const int DefaultMaxPercent = 130;

    /// <summary>The <c>--policy placement=</c> value that runs every policy.</summary>
    public const string All = "all";

    /// <summary>The policies every run compares.</summary>
    public static IReadOnlyList<string> Baselines { get; } = [GpuPlacementPolicies.Fgd, GpuPlacementPolicies.BestFit, GpuPlacementPolicies.FirstFit];

    public static async Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        if (await Validate(options, error, cancellationToken).ConfigureAwait(false) is not { } selected)
        {
            return 2;
        }

        var nodeProblems = new TraceProblems(options.Nodes!, options.Strict);
        var podProblems = new TraceProblems(options.Trace, options.Strict);
        IReadOnlyList<AlibabaGpuNode> nodes;
        IReadOnlyList<AlibabaGpuPod> pods;
        try
        {
            using (var reader = File.OpenText(options.Nodes!))
            {
                nodes = await AlibabaGpuNodeReader.ReadAsync(reader, nodeProblems, cancellationToken).ConfigureAwait(false);
            }

            using (var reader = File.OpenText(options.Trace))
            {
                pods = await AlibabaGpuPodReader.ReadAsync(reader, podProblems, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TraceFormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return 2;
        }

        foreach (var line in nodeProblems.Lines().Concat(podProblems.Lines()))
        {
            await error.WriteLineAsync($"warning: {line}".AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        var models = nodes.Select(n => n.Model).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var problem = nodes.Count == 0 ? $"{options.Nodes}: no node" : pods.Count == 0 ? $"{options.Trace}: no pod"
            : models.Count > 63 ? $"{options.Nodes}: {models.Count} GPU models; at most 63 are modelled"
            : !pods.Any(p => p.GpuCount > 0) ? $"{options.Trace}: no pod asks for a GPU" : null;
        if (problem is not null)
        {
            await error.WriteLineAsync($"error: {problem}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return 2;
        }

        var specs = nodes.Select(n => new GpuNodeSpec(n.CpuMillis, n.MemoryMib, n.Gpus, Math.Max(0, models.IndexOf(n.Model)))).ToList();
        var pool = pods.Select(p => new GpuTask(p.CpuMillis, p.MemoryMib, p.GpuCount, p.GpuMilli, ModelMask(p.GpuSpec, models))).ToList();
        var maxPercent = options.LoadScale is { } scale ? (int)Math.Round(scale * 100) : DefaultMaxPercent;
        var policies = selected == All ? [.. GpuPlacementPolicies.Names] : Baselines.Append(selected).Distinct().ToList();
        selected = selected == All ? GpuPlacementPolicies.Fgd : selected;
        var setup = new GpuExperimentSetup(specs, pool, GpuWorkload.From(pool), policies, Repetitions, options.Seed, maxPercent);
        var results = GpuExperiment.Run(setup, cancellationToken);
        var report = new GpuReport(
            options.Trace, options.Nodes!, nodes.Count, specs.Sum(s => (long)s.Gpus), pods.Count, nodeProblems.Count, podProblems.Count,
            options.Seed, Repetitions, maxPercent, selected, results, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
        var markdown = await GpuReportWriter.WriteAsync(options.Output, report, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(markdown.AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {Path.Combine(options.Output, "summary.json")}, summary.md and {string.Join(", ", GpuReportWriter.Plots)} in {report.ElapsedSeconds:0.0} s").AsMemory(), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The selected placement policy, or null having written why the options cannot run (warnings for what alibaba-gpu ignores).</summary>
    private static async Task<string?> Validate(SimulateOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        string? problem = null;
        var selected = options.Policies.GetValueOrDefault("placement") ?? GpuPlacementPolicies.Fgd;
        if (options.Nodes is null)
        {
            problem = "--nodes: alibaba-gpu needs the node list (openb_node_list_gpu_node.csv)";
        }
        else if (!File.Exists(options.Nodes))
        {
            problem = $"--nodes: {options.Nodes} does not exist";
        }
        else if (!GpuPlacementPolicies.Names.Contains(selected) && selected != All)
        {
            problem = $"--policy placement={selected}: unknown placement policy; known: {string.Join(", ", GpuPlacementPolicies.Names)} (or {All})";
        }
        else if (options.LoadScale is { } scale && (scale * 100 < 1 || scale > 10))
        {
            problem = "--load-scale: alibaba-gpu reads it as the arrived workload to stop at, as a multiple of the GPU capacity (0.01 to 10; default 1.3)";
        }

        if (problem is not null)
        {
            await error.WriteLineAsync($"error: {problem}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return null;
        }

        foreach (var kind in options.Policies.Keys.Where(k => k != "placement"))
        {
            await error.WriteLineAsync($"warning: --policy {kind}=… does not apply to alibaba-gpu (placement only); ignored".AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        if (options.Config is not null)
        {
            await error.WriteLineAsync("warning: --config is not used by alibaba-gpu (the cluster is --nodes); ignored".AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return selected;
    }

    /// <summary>The models a pod's <c>gpu_spec</c> allows as a mask; 0 for any; a spec naming no model of the cluster gets bit 63, which no node has.</summary>
    private static ulong ModelMask(IReadOnlyList<string> spec, List<string> models)
    {
        if (spec.Count == 0)
        {
            return 0;
        }

        var mask = spec.Select(s => models.IndexOf(s)).Where(i => i >= 0).Aggregate(0UL, (m, i) => m | (1UL << i));
        return mask == 0 ? 1UL << 63 : mask;
    }
}
