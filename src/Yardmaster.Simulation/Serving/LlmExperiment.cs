using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
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

    public static (IReadOnlyList<RunSummary> Runs, IReadOnlyList<string> Notes) Run(IReadOnlyList<TraceRequest> trace, SimulateOptions options)
    {
        var tasks = TraceTasks.Defaults.Select(t => new TaskDefinition { Name = t.Name, Priority = t.Priority, Latency = t.Latency, Models = ["llm"] }).ToList();
        var speed = DefaultSpeed;
        var span = trace.Count > 1 ? trace[^1].Offset : TimeSpan.FromSeconds(1);
        var work = trace.Sum(r => speed.Service(r.PromptTokens, r.OutputTokens).TotalSeconds);
        var replicas = Math.Max(1, (int)Math.Ceiling(work / Math.Max(1, span.TotalSeconds) / Slots));
        var model = new ModelDefinition { Name = "llm", Path = "llm.gguf", Memory = 16L << 30, Slots = Slots, ReplicasMin = replicas, ReplicasMax = replicas, KeepAlive = null };
        var setup = new SimSetup(tasks, [(model, speed)], new DeviceSettings { CpuMemory = replicas * (16L << 30) }, new SchedulerSettings(), i => -1, "");
        var slos = tasks.ToDictionary(t => t.Name, t => new SloTarget(null, t.Latency), StringComparer.Ordinal);
        var taskOf = trace.Select((r, i) => tasks.FindIndex(t => t.Name == TraceTasks.For(r, i))).ToArray();

        var runs = new List<RunSummary>();
        var policies = new List<SimPolicies>
        {
            new("fcfs", "fcfs", "lru", "least-outstanding", Admission: false),
            new("default", "fair", "gdsf", "least-outstanding", Admission: true),
        };
        if (options.Policies.Count > 0)
        {
            policies.Add(new SimPolicies(
                "custom",
                options.Policies.GetValueOrDefault("queue", "fair"),
                options.Policies.GetValueOrDefault("eviction", "gdsf"),
                options.Policies.GetValueOrDefault("routing", "least-outstanding"),
                Admission: true));
        }

        foreach (var load in options.LoadScale is { } only ? [only] : Loads)
        {
            var bound = new RunSummaryBuilder(slos);
            for (var i = 0; i < trace.Count; i++)
            {
                var service = speed.Service(trace[i].PromptTokens, trace[i].OutputTokens);
                var task = tasks[taskOf[i]];
                bound.Add(new Reporting.RequestResult(task.Name, Core.Statistics.RequestOutcome.Completed, speed.Prefill(trace[i].PromptTokens), service));
            }

            runs.Add(bound.Build(Label("bound", load), Parameters("service time alone (no queueing, no refusal)", load, replicas), span / load));
            foreach (var policy in policies)
            {
                var builder = new RunSummaryBuilder(slos);
                var simulation = new ServingSimulation(setup, policy, () => speed.LoadTime ?? TimeSpan.FromSeconds(2), _ => EvictionPolicies.Create(policy.Eviction) ?? throw new ArgumentException($"unknown eviction policy '{policy.Eviction}'"));
                var epoch = DateTimeOffset.UnixEpoch;
                var last = epoch;
                simulation.Run(Requests(trace, taskOf, tasks, epoch, load), epoch, r =>
                {
                    builder.Add(SimResults.Of(r, tasks[r.TaskIndex].Name));
                    last = r.End!.Value > last ? r.End.Value : last;
                });
                runs.Add(builder.Build(Label(policy.Label, load), Parameters($"queue {policy.Queue}, admission {(policy.Admission ? "on" : "off")}, routing {policy.Routing}", load, replicas), last - epoch));
            }
        }

        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Setup derived from the trace: one model `llm`, {replicas} replicas of {Slots} slots, warm from the start; token model prefill {speed.PrefillTokensPerSecond:0} and decode {speed.DecodeTokensPerSecond:0} tokens/s per sequence, so that the trace at its own rate fills the {replicas * Slots} slots on average (load 1.0×)."),
            "Tasks: " + string.Join(", ", TraceTasks.Defaults.Select(t => string.Create(CultureInfo.InvariantCulture, $"`{t.Name}` ({t.Priority.ToString().ToLowerInvariant()}, latency SLO {t.Latency.TotalSeconds:0} s, {t.Percent}%)"))) + ", by a stable hash of each request's index (TraceTasks).",
            "A load of X replays the trace with its arrival times divided by X. `bound` is each request served the moment it arrives: its service time alone against its SLO.",
            "`fcfs`: one FIFO queue, every request admitted and waiting until its deadline (504 then). `default`: the server's own policies (fair queue by class with aging, admission refusing at once what cannot meet its deadline, a full queue shedding its least urgent request).",
        };
        return (runs, notes);
    }

    private static IEnumerable<SimRequest> Requests(IReadOnlyList<TraceRequest> trace, int[] taskOf, List<TaskDefinition> tasks, DateTimeOffset epoch, double load)
    {
        for (var i = 0; i < trace.Count; i++)
        {
            var r = trace[i];
            var task = tasks[taskOf[i]];
            var arrival = epoch + (r.Offset / load);
            yield return new SimRequest
            {
                Id = i + 1,
                Task = task.Name,
                Priority = task.Priority,
                Weight = task.Weight,
                Arrival = arrival,
                Deadline = arrival + (task.Latency ?? TimeSpan.FromMinutes(5)),
                Cost = Math.Max(1, r.OutputTokens),
                TaskIndex = taskOf[i],
                PromptTokens = r.PromptTokens,
                OutputTokens = r.OutputTokens,
            };
        }
    }

    private static string Label(string policy, double load) => string.Create(CultureInfo.InvariantCulture, $"{policy} at {load:0.##}×");

    private static List<KeyValuePair<string, string>> Parameters(string policy, double load, int replicas) =>
    [
        new("policy", policy),
        new("load", load.ToString("0.##", CultureInfo.InvariantCulture)),
        new("replicas", replicas.ToString(CultureInfo.InvariantCulture)),
    ];
}
