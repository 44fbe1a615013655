using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// An LLM request trace (azure-llm, mooncake, yard) through the default setup derived from it: one model whose replicas
/// serve at the default token model, sized so that the trace at its own rate uses exactly the slots there are (load 1.0×),
/// the requests spread over the three tasks of <see cref="TraceTasks"/>, at each load the trace is replayed at (arrival
/// times divided by the load). At each load: <c>fcfs</c> (first come, first served, no admission control: every request
/// waits until its deadline) and the default policies (the <c>fair</c> queue, admission refusing at once what cannot meet
/// its deadline, queue shedding), plus any <c>--policy</c> choice; and the bound: the share of requests whose service
/// time alone fits their SLO.
/// </summary>
internal static class LlmExperiment
{
    /// <summary>The default token model: prefill 4,000 and decode 100 tokens/s per sequence (an 8B model on a datacenter GPU).</summary>
    public static ModelSpeed DefaultSpeed { get; } = new(4000, 100, TimeSpan.FromSeconds(20));

    /// <summary>Slots per replica in the default setup.</summary>
    public const int Slots = 4;

    /// <summary>The loads replayed when <c>--load-scale</c> names none.</summary>
    public static IReadOnlyList<double> Loads { get; } = [0.5, 0.75, 1.0, 1.25, 1.5];

    /// <param name="trace">The requests.</param>
    /// <param name="options">The command line.</param>
    /// <param name="config">A yard.yaml: its <c>scheduler:</c> settings are the default run's, and a task it defines under the
    /// name of a default task (chat, search, batch) replaces that task's class, SLO and weight; null for the defaults.</param>
    public static (IReadOnlyList<RunSummary> Runs, IReadOnlyList<string> Notes) Run(IReadOnlyList<TraceRequest> trace, SimulateOptions options, YardConfig? config = null)
    {
        var workload = new LlmWorkload(trace, config);
        var scheduler = workload.Scheduler;
        var speed = workload.Speed;
        var replicas = workload.Replicas;
        var runs = new List<RunSummary>();
        var policies = new List<SimPolicies>
        {
            new("fcfs", "fcfs", "lru", "least-outstanding", Admission: false),
            new("default", scheduler.Queue, scheduler.Eviction, scheduler.Routing, Admission: true, EnginePreemption: true),
        };
        if (options.Policies.Count > 0)
        {
            policies.Add(new SimPolicies(
                "custom",
                options.Policies.GetValueOrDefault("queue", scheduler.Queue),
                options.Policies.GetValueOrDefault("eviction", scheduler.Eviction),
                options.Policies.GetValueOrDefault("routing", scheduler.Routing),
                Admission: true,
                EnginePreemption: true));
        }

        foreach (var load in options.LoadScale is { } only ? [only] : Loads)
        {
            var seconds = (workload.Span / load).TotalSeconds;
            var (most, byClass) = (workload.MostInSlo(load) / seconds, workload.MostInSlo(load, keepClasses: true) / seconds);
            runs.Add(workload.Bound().Build(
                Label("bound", load),
                [
                    .. Parameters("service time alone (no queueing, no refusal)", load, replicas),
                    new("most goodput", string.Create(CultureInfo.InvariantCulture, $"{most:0.###}/s")),
                    new("most goodput by class", string.Create(CultureInfo.InvariantCulture, $"{byClass:0.###}/s")),
                ],
                workload.Span / load));
            foreach (var policy in policies)
            {
                var (results, duration) = workload.Simulate(policy, load);
                runs.Add(results.Build(Label(policy.Label, load), Parameters($"queue {policy.Queue}, admission {(policy.Admission ? "on" : "off")}, routing {policy.Routing}", load, replicas), duration));
            }
        }

        var notes = new List<string>
        {
            workload.Configured
                ? "Models as " + options.Config + " declares them: " + string.Join("; ", workload.Models.Select(m => string.Create(CultureInfo.InvariantCulture, $"`{m.Model.Name}` replicas {m.Model.ReplicasMin}-{m.Model.ReplicasMax} of {m.Model.Slots} slots, {Core.Units.ByteSizes.Format(m.Model.Memory ?? 0)} each, {m.Speed.Describe()}"))) + "."
                : string.Create(CultureInfo.InvariantCulture, $"Setup derived from the trace: one model `llm`, {replicas} replicas of {Slots} slots, warm from the start; token model prefill {speed.PrefillTokensPerSecond:0} and decode {speed.DecodeTokensPerSecond:0} tokens/s per sequence, so that the trace at its own rate fills the {replicas * Slots} slots on average (load 1.0×)."),
            "Tasks: " + string.Join(", ", workload.Tasks.Select(t => string.Create(CultureInfo.InvariantCulture, $"`{t.Name}` ({t.Priority.ToString().ToLowerInvariant()}, latency SLO {(t.Latency is { } l ? Core.Units.Durations.Format(l) : "none")}{(TraceTasks.Defaults.FirstOrDefault(d => d.Name == t.Name) is { } d ? $", {d.Percent}%" : "")})"))) + "; a request goes to the task or class the trace names, else by a stable hash of its index (TraceTasks).",
            config is null ? "Scheduler: the defaults of `yard serve` (no --config)." : $"Scheduler settings and the tasks it names from {options.Config}.",
            "A load of X replays the trace with its arrival times divided by X; goodput is per second of that arrival span, the same for every policy. `bound` is each request served the moment it arrives: its service time alone against its SLO; its `most goodput` is what no policy can beat on these slots (the slots pooled into one preemptible server, every span of time holding at most its slot-seconds of the requests due within it; GoodputBound), and `most goodput by class` what none can beat that completes as many requests of each class as can be before any of a less urgent class.",
            "`fcfs`: one FIFO queue, every request admitted and waiting until its deadline (504 then). `default`: the server's own policies as configured (by default the fair queue by class with aging, admission refusing at once what cannot meet its deadline, a full queue shedding its least urgent request).",
        };
        return (runs, notes);
    }

    private static string Label(string policy, double load) => string.Create(CultureInfo.InvariantCulture, $"{policy} at {load:0.##}×");

    private static List<KeyValuePair<string, string>> Parameters(string policy, double load, int replicas) =>
    [
        new("policy", policy),
        new("load", load.ToString("0.##", CultureInfo.InvariantCulture)),
        new("replicas", replicas.ToString(CultureInfo.InvariantCulture)),
    ];
}
