using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// An LLM request trace with the setup derived from it (<see cref="LlmExperiment"/>): one model whose replicas serve at
/// <see cref="LlmExperiment.DefaultSpeed"/>, as many as the trace at its own rate fills, and the requests spread over the
/// tasks of <see cref="TraceTasks"/> (or the config's tasks of the same names). Runs one policy at one load.
/// </summary>
internal sealed class LlmWorkload
{
    private readonly IReadOnlyList<TraceRequest> _trace;
    private readonly int[] _taskOf;

    /// <param name="trace">The requests.</param>
    /// <param name="config">A yard.yaml whose <c>scheduler:</c> is the default run's and whose tasks named chat, search or batch replace those; null for the defaults.</param>
    /// <param name="salt">0 for the default split of requests over tasks; another value for another draw of the same shares.</param>
    public LlmWorkload(IReadOnlyList<TraceRequest> trace, YardConfig? config, ulong salt = 0)
    {
        _trace = trace;
        Tasks = [.. TraceTasks.Defaults.Select(t => config?.Tasks.FirstOrDefault(c => c.Name == t.Name) is { } own
            ? own with { Models = ["llm"] }
            : new TaskDefinition { Name = t.Name, Priority = t.Priority, Latency = t.Latency, Models = ["llm"] })];
        Scheduler = config?.Scheduler ?? new SchedulerSettings();
        Span = trace.Count > 1 ? trace[^1].Offset : TimeSpan.FromSeconds(1);
        var work = trace.Sum(r => Speed.Service(r.PromptTokens, r.OutputTokens).TotalSeconds);
        Replicas = Math.Max(1, (int)Math.Ceiling(work / Math.Max(1, Span.TotalSeconds) / LlmExperiment.Slots));
        _taskOf = new int[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            var name = TraceTasks.For(trace[i], i, salt);
            var index = Tasks.FindIndex(t => t.Name == name);
            if (index < 0)
            {
                // A task the trace names (a yard request log): the config's definition, else its class from the trace and no SLO.
                Tasks.Add(config?.Tasks.FirstOrDefault(c => c.Name == name) is { } own ? own with { Models = ["llm"] }
                    : new TaskDefinition { Name = name, Priority = PriorityClasses.TryParse(trace[i].Priority, out var p) ? p : PriorityClass.Normal, Models = ["llm"] });
                index = Tasks.Count - 1;
            }

            _taskOf[i] = index;
        }

        Slos = Tasks.ToDictionary(t => t.Name, t => new SloTarget(null, t.Latency), StringComparer.Ordinal);
    }

    public ModelSpeed Speed { get; } = LlmExperiment.DefaultSpeed;

    public List<TaskDefinition> Tasks { get; }

    /// <summary>The configured scheduler settings (the server's defaults without a config).</summary>
    public SchedulerSettings Scheduler { get; }

    /// <summary>Replicas of <see cref="LlmExperiment.Slots"/> slots.</summary>
    public int Replicas { get; }

    public TimeSpan Span { get; }

    public IReadOnlyDictionary<string, SloTarget> Slos { get; }

    /// <summary>Every request served the moment it arrives: its service time alone against its SLO.</summary>
    public RunSummaryBuilder Bound()
    {
        var bound = new RunSummaryBuilder(Slos);
        for (var i = 0; i < _trace.Count; i++)
        {
            var r = _trace[i];
            bound.Add(new RequestResult(Tasks[_taskOf[i]].Name, Core.Statistics.RequestOutcome.Completed, Speed.Prefill(r.PromptTokens), Speed.Service(r.PromptTokens, r.OutputTokens)));
        }

        return bound;
    }

    /// <summary>
    /// Simulates <paramref name="policy"/> at <paramref name="load"/> with <paramref name="scheduler"/> (default: <see cref="Scheduler"/>);
    /// the results, and the duration goodput is counted over: the trace's arrival span at that load, the same for every policy
    /// (the time to the last answer would favour a policy that refuses sooner).
    /// </summary>
    public (RunSummaryBuilder Results, TimeSpan Duration) Simulate(SimPolicies policy, double load, SchedulerSettings? scheduler = null)
    {
        var model = new ModelDefinition { Name = "llm", Path = "llm.gguf", Memory = 16L << 30, Slots = LlmExperiment.Slots, ReplicasMin = Replicas, ReplicasMax = Replicas, KeepAlive = null };
        var setup = new SimSetup(Tasks, [(model, Speed)], new DeviceSettings { CpuMemory = Replicas * (16L << 30) }, scheduler ?? Scheduler, _ => -1, "");
        var builder = new RunSummaryBuilder(Slos);
        var simulation = new ServingSimulation(setup, policy, () => Speed.LoadTime ?? TimeSpan.FromSeconds(2), _ => EvictionPolicies.Create(policy.Eviction) ?? throw new ArgumentException($"unknown eviction policy '{policy.Eviction}'"));
        var epoch = DateTimeOffset.UnixEpoch;
        simulation.Run(Requests(epoch, load, (scheduler ?? Scheduler).DefaultDeadline), epoch, r => builder.Add(SimResults.Of(r, Tasks[r.TaskIndex].Name)));
        return (builder, Span / load);
    }

    private IEnumerable<SimRequest> Requests(DateTimeOffset epoch, double load, TimeSpan defaultDeadline)
    {
        for (var i = 0; i < _trace.Count; i++)
        {
            var r = _trace[i];
            var task = Tasks[_taskOf[i]];
            var arrival = epoch + (r.Offset / load);
            yield return new SimRequest
            {
                Id = i + 1,
                Task = task.Name,
                Priority = task.Priority,
                Weight = task.Weight,
                Arrival = arrival,
                Deadline = arrival + (task.Latency ?? defaultDeadline),
                Cost = Math.Max(1, r.OutputTokens),
                TaskIndex = _taskOf[i],
                PromptTokens = r.PromptTokens,
                OutputTokens = r.OutputTokens,
            };
        }
    }
}
