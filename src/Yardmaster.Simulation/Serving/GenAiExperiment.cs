using System.Globalization;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Units;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The Alibaba GenAI trace (every request names its base model) through one GPU whose memory holds 10%, 20% and 30% of the
/// models' total size: each model one replica of <see cref="Slots"/> slots, loaded on demand, evicted by <c>lru</c>, by the
/// default (<c>session-lfu</c>), by <c>gdsf</c>, by <c>rotation</c>, or by Belady's MIN (the offline bound); its requests hold a slot for their
/// <c>exec_time_seconds</c>.
/// A model's size and load time are drawn from its id, as the policy simulation of 2026-11-22 (<c>bench/results/policy-sim-2026-11-22.md</c>) drew them.
/// </summary>
internal static class GenAiExperiment
{
    /// <summary>Slots of a replica.</summary>
    public const int Slots = 8;

    /// <summary>The memory budgets, as shares of the models' total size.</summary>
    public static IReadOnlyList<double> Budgets { get; } = [0.1, 0.2, 0.3];

    /// <summary>The file of measured load times, looked for beside the trace.</summary>
    public const string LatencyFile = "basemodel_update_latency_anon.csv";

    /// <param name="trace">The requests.</param>
    /// <param name="options">The command's options.</param>
    /// <param name="scheduler">The scheduler settings of <c>--config</c> (e.g. a <c>load_wait</c> as long as a turn of <c>rotation</c>); null: the defaults.</param>
    public static (IReadOnlyList<RunSummary> Runs, IReadOnlyList<string> Notes) Run(IReadOnlyList<TraceRequest> trace, SimulateOptions options, SchedulerSettings? scheduler = null)
    {
        scheduler ??= new SchedulerSettings();
        var latencyPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Trace))!, LatencyFile);
        var latencies = File.Exists(latencyPath) ? LoadTimeSamples.Read(latencyPath, new TraceProblems(latencyPath, strict: false)).Order().ToList() : [];
        var names = trace.Select(r => r.Model ?? "unnamed").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var models = names.Select(n => (Model: new ModelDefinition
        {
            Name = n,
            Path = n + ".safetensors",
            Device = DeviceKind.Gpu,
            Memory = (2L << 30) + ((1L << 29) * (long)(StableHash.Of(n, 2) % 29)),
            Slots = Slots,
            ReplicasMax = 1,
            KeepAlive = null,
        }, Speed: new ModelSpeed(1, 1, latencies.Count > 0 ? latencies[(int)(StableHash.Of(n, 1) % (ulong)latencies.Count)] : TimeSpan.FromSeconds(2)))).ToList();
        var total = models.Sum(m => m.Model.Memory!.Value);
        var task = new TaskDefinition { Name = "genai", Priority = PriorityClass.Normal, Latency = TimeSpan.FromMinutes(10), Models = names };
        var slos = new Dictionary<string, SloTarget>(StringComparer.Ordinal) { ["genai"] = new SloTarget(null, task.Latency) };
        var uses = trace.Select((r, i) => (Model: r.Model ?? "unnamed", At: DateTimeOffset.UnixEpoch + r.Offset)).GroupBy(u => u.Model, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(u => u.At).Order().ToArray(), StringComparer.Ordinal);

        var runs = new List<RunSummary>();
        foreach (var share in Budgets)
        {
            var budget = (long)(total * share);
            var setup = new SimSetup([task], [.. models], new DeviceSettings { CpuMemory = 0, Gpus = [new GpuDevice(0, budget)] }, scheduler, _ => 0, "");
            var policies = new List<SimPolicies>
            {
                new("lru", "fair", "lru", "least-outstanding", Admission: true),
                new("default", "fair", setup.Scheduler.Eviction, "least-outstanding", Admission: true),
                new("gdsf", "fair", "gdsf", "least-outstanding", Admission: true),
                new("rotation", "fair", "rotation", "least-outstanding", Admission: true),
                new("belady", "fair", "belady", "least-outstanding", Admission: true),
            };
            if (options.Policies.TryGetValue("eviction", out var chosen) && !policies.Exists(p => p.Eviction == chosen))
            {
                policies.Add(new SimPolicies(chosen, "fair", chosen, "least-outstanding", Admission: true));
            }

            foreach (var policy in policies)
            {
                var builder = new RunSummaryBuilder(slos);
                var simulation = new ServingSimulation(setup, policy, () => TimeSpan.FromSeconds(2), _ => policy.Eviction == "belady" ? new BeladyEviction(uses) : EvictionPolicies.Create(policy.Eviction)!);
                var epoch = DateTimeOffset.UnixEpoch;
                simulation.Run(Requests(trace, task, epoch), epoch, r => builder.Add(SimResults.Of(r, task.Name)));
                var loads = simulation.Models.Sum(m => m.Loads);
                var loadTime = simulation.Models.Aggregate(TimeSpan.Zero, (t, m) => t + m.LoadTime);
                var bytes = simulation.Models.Sum(m => m.BytesLoaded);
                runs.Add(builder.Build(
                    string.Create(CultureInfo.InvariantCulture, $"{policy.Label} at {share:0%}"),
                    [
                        new("eviction", policy.Eviction),
                        new("budget", string.Create(CultureInfo.InvariantCulture, $"{share:0%} of {ByteSizes.Format(total)} = {ByteSizes.Format(budget)}")),
                        new("loads", loads.ToString(CultureInfo.InvariantCulture)),
                        new("load_time_s", loadTime.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)),
                        new("bytes_loaded", ByteSizes.Format(bytes)),
                    ],
                    trace[^1].Offset > TimeSpan.Zero ? trace[^1].Offset : TimeSpan.FromSeconds(1)));
            }
        }

        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{names.Count} models; size 2 GiB + 0.5 GiB × (hash₂(id) mod 29), 2 to 16 GiB, {ByteSizes.Format(total)} in all; load time the measured latency at index hash₁(id) mod {latencies.Count} of `{LatencyFile}`{(latencies.Count == 0 ? " (not found beside the trace: 2 s each)" : "")}."),
            string.Create(CultureInfo.InvariantCulture, $"One GPU; each model one replica of {Slots} slots, loaded on demand, never unloaded when idle, evicted only to make room; a request holds a slot for its exec_time_seconds; one task `genai` (normal, deadline 10 min, load_wait {scheduler.LoadWait.TotalSeconds:0} s)."),
            "`belady` is Belady's MIN, the offline bound: evict the idle replica whose model's next request is farthest (never again first). With models of different sizes the exact optimum is NP-hard; MIN here takes victims farthest-next-use first until enough bytes are free, so it is a strong reference, not a proven lower bound.",
        };
        return (runs, notes);
    }

    private static IEnumerable<SimRequest> Requests(IReadOnlyList<TraceRequest> trace, TaskDefinition task, DateTimeOffset epoch)
    {
        for (var i = 0; i < trace.Count; i++)
        {
            var r = trace[i];
            var arrival = epoch + r.Offset;
            yield return new SimRequest
            {
                Id = i + 1,
                Task = task.Name,
                Priority = task.Priority,
                Arrival = arrival,
                Deadline = arrival + task.Latency!.Value,
                TaskIndex = 0,
                PromptTokens = r.PromptTokens,
                OutputTokens = r.OutputTokens,
                TraceService = r.Service ?? TimeSpan.FromSeconds(1),
                TraceModel = r.Model ?? "unnamed",
            };
        }
    }
}
