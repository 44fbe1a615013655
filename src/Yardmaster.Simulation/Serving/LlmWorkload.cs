using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;
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
    /// <param name="config">
    /// A yard.yaml whose <c>scheduler:</c> is the default run's and whose tasks named chat, search or batch (or a name the
    /// trace uses) replace those; when it declares models, they are simulated as declared (replicas, slots, memory,
    /// devices, <c>simulation:</c> token model) instead of the setup derived from the trace. Null for the defaults.
    /// </param>
    /// <param name="salt">0 for the default split of requests over tasks; another value for another draw of the same shares.</param>
    public LlmWorkload(IReadOnlyList<TraceRequest> trace, YardConfig? config, ulong salt = 0)
    {
        _trace = trace;
        Scheduler = config?.Scheduler ?? new SchedulerSettings();
        Span = trace.Count > 1 ? trace[^1].Offset : TimeSpan.FromSeconds(1);
        Configured = config is { Models.Count: > 0 };
        if (config is { Models.Count: > 0 })
        {
            Models = [.. config.Models.Select(ServingPass.Normalize).Select(m => (m with { Memory = m.Memory ?? Footprint(m) }, m.Simulation is { } s ? ModelSpeed.From(s) : LlmExperiment.DefaultSpeed))];
            Devices = config.Devices;
            Replicas = Models.Sum(m => m.Model.ReplicasMax);
        }
        else
        {
            var work = trace.Sum(r => LlmExperiment.DefaultSpeed.Service(r.PromptTokens, r.OutputTokens).TotalSeconds);
            Replicas = Math.Max(1, (int)Math.Ceiling(work / Math.Max(1, Span.TotalSeconds) / LlmExperiment.Slots));
            Models = [(new ModelDefinition { Name = "llm", Path = "llm.gguf", Memory = DefaultMemory, Slots = LlmExperiment.Slots, ReplicasMin = Replicas, ReplicasMax = Replicas, KeepAlive = null }, LlmExperiment.DefaultSpeed)];
            Devices = new DeviceSettings { CpuMemory = Replicas * DefaultMemory };
        }

        var first = Models[0].Model.Name;
        TaskDefinition Own(TaskDefinition task) => Configured ? task : task with { Models = [first] };
        Tasks = [.. TraceTasks.Defaults.Select(t => config?.Tasks.FirstOrDefault(c => c.Name == t.Name) is { } own
            ? Own(own)
            : new TaskDefinition { Name = t.Name, Priority = t.Priority, Latency = t.Latency, Models = [first] })];
        _taskOf = new int[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            var name = TraceTasks.For(trace[i], i, salt);
            var index = Tasks.FindIndex(t => t.Name == name);
            if (index < 0)
            {
                // A task the trace names (a yard request log): the config's definition, else its class from the trace and no SLO.
                Tasks.Add(config?.Tasks.FirstOrDefault(c => c.Name == name) is { } own ? Own(own)
                    : new TaskDefinition { Name = name, Priority = PriorityClasses.TryParse(trace[i].Priority, out var p) ? p : PriorityClass.Normal, Models = [first] });
                index = Tasks.Count - 1;
            }

            _taskOf[i] = index;
        }

        Slos = Tasks.ToDictionary(t => t.Name, t => new SloTarget(null, t.Latency), StringComparer.Ordinal);
    }

    /// <summary>A replica's memory in the setup derived from a trace.</summary>
    public const long DefaultMemory = 16L << 30;

    /// <summary>A replica's memory when a config's model declares none and names no file that exists.</summary>
    public const long UnknownMemory = 1L << 30;

    /// <summary>
    /// The memory a declared model's replica is charged when it declares none: its file's size (the weights; the live
    /// server adds the KV cache of its context, so this is a lower bound), else <see cref="UnknownMemory"/>.
    /// </summary>
    public static long Footprint(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Path is { } path && File.Exists(path) ? new FileInfo(path).Length : UnknownMemory;
    }

    /// <summary>The models simulated, with their token models.</summary>
    public List<(ModelDefinition Model, ModelSpeed Speed)> Models { get; }

    /// <summary>The memory budgets.</summary>
    public DeviceSettings Devices { get; }

    /// <summary>True when the models are the config's, false when derived from the trace.</summary>
    public bool Configured { get; }

    /// <summary>The token model of the first model (the derived setup's only one).</summary>
    public ModelSpeed Speed => Models[0].Speed;

    public List<TaskDefinition> Tasks { get; }

    /// <summary>The configured scheduler settings (the server's defaults without a config).</summary>
    public SchedulerSettings Scheduler { get; }

    /// <summary>Replicas in all (at most; the derived setup's are all warm, of <see cref="LlmExperiment.Slots"/> slots).</summary>
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
            var task = Tasks[_taskOf[i]];
            var speed = Models.FirstOrDefault(m => task.Models.Contains(m.Model.Name)).Speed ?? Speed;
            bound.Add(new RequestResult(task.Name, Core.Statistics.RequestOutcome.Completed, speed.Prefill(r.PromptTokens), speed.Service(r.PromptTokens, r.OutputTokens)));
        }

        return bound;
    }

    /// <summary>
    /// The most requests any policy could complete within their SLO at <paramref name="load"/> on the slots there are
    /// (<see cref="GoodputBound"/>: every model's replicas pooled); with <paramref name="keepClasses"/>, any policy that
    /// completes as many requests of each class as can be before any of a less urgent class.
    /// </summary>
    public double MostInSlo(double load, bool keepClasses = false)
    {
        var defaultDeadline = Scheduler.DefaultDeadline;
        var requests = new List<(double, double, double, int)>(_trace.Count);
        for (var i = 0; i < _trace.Count; i++)
        {
            var r = _trace[i];
            var task = Tasks[_taskOf[i]];
            var speed = Models.FirstOrDefault(m => task.Models.Contains(m.Model.Name)).Speed ?? Speed;
            var arrival = r.Offset.TotalSeconds / load;
            requests.Add((arrival, arrival + (task.Latency ?? defaultDeadline).TotalSeconds, speed.Service(r.PromptTokens, r.OutputTokens).TotalSeconds, keepClasses ? (int)task.Priority : 0));
        }

        return GoodputBound.Requests(requests, Models.Sum(m => m.Model.ReplicasMax * m.Model.Slots));
    }

    /// <summary>
    /// Simulates <paramref name="policy"/> at <paramref name="load"/> with <paramref name="scheduler"/> (default: <see cref="Scheduler"/>);
    /// the results, and the duration goodput is counted over: the trace's arrival span at that load, the same for every policy
    /// (the time to the last answer would favour a policy that refuses sooner).
    /// </summary>
    /// <param name="policy">The policies.</param>
    /// <param name="load">The load.</param>
    /// <param name="scheduler">The scheduler settings (default: <see cref="Scheduler"/>).</param>
    /// <param name="knobs">Tasks' weights and models' keep-alive and replicas to simulate instead of theirs (<c>yard tune</c>).</param>
    public (RunSummaryBuilder Results, TimeSpan Duration) Simulate(SimPolicies policy, double load, SchedulerSettings? scheduler = null, Tuning.TuneKnobs? knobs = null)
    {
        var tasks = knobs is null ? Tasks : [.. Tasks.Select(knobs.Apply)];
        var models = knobs is null ? Models : [.. Models.Select(m => (knobs.Apply(m.Model), m.Speed))];
        var setup = new SimSetup(tasks, models, Devices, scheduler ?? Scheduler, _ => -1, "");
        var builder = new RunSummaryBuilder(Slos);
        var simulation = new ServingSimulation(setup, policy, () => Speed.LoadTime ?? TimeSpan.FromSeconds(2), _ => EvictionPolicies.Create(policy.Eviction) ?? throw new ArgumentException($"unknown eviction policy '{policy.Eviction}'"));
        var epoch = DateTimeOffset.UnixEpoch;
        simulation.Run(Requests(tasks, epoch, load, (scheduler ?? Scheduler).DefaultDeadline), epoch, r => builder.Add(SimResults.Of(r, Tasks[r.TaskIndex].Name)));
        return (builder, Span / load);
    }

    private IEnumerable<SimRequest> Requests(List<TaskDefinition> tasks, DateTimeOffset epoch, double load, TimeSpan defaultDeadline)
    {
        for (var i = 0; i < _trace.Count; i++)
        {
            var r = _trace[i];
            var task = tasks[_taskOf[i]];
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
