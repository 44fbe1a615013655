using System.Globalization;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Mixed;

/// <summary>
/// Online serving and batch steps on one cluster of CPU nodes, in simulated time: the serving side is a
/// <see cref="ServingSimulation"/> (the server's own admission, queues, dispatch and routing over every node's replica, with
/// the builtin engine's priority preemption: an online request takes a batch line's slot), the
/// steps are placed by the job scheduler's own <see cref="SchedulingPass"/> in its ready order (<see cref="ReadyOrder"/>),
/// and the two meet on each node's cores as the kernel's weighted fair scheduler shares them (<c>jobs.cpu_weights</c>):
/// while a node's engine serves anything, its compute threads take their cores first; the steps share what is left, each
/// at most one core.
/// </summary>
/// <remarks>
/// <para><b>Shared</b>: each node runs one replica with a thread per core and twice <see cref="MixedOptions.Slots"/>
/// slots, serving <c>chat</c>, <c>search</c> and the pipeline's <c>bulk</c> lines; the steps may use every core.</para>
/// <para><b>Split</b>: half of each node's cores and memory for each side. The online half runs a replica of
/// <see cref="MixedOptions.Slots"/> slots at half the threads for <c>chat</c> and <c>search</c>; the batch half runs another
/// for <c>bulk</c> and the steps, on its half of the cores.</para>
/// <para>What is not modelled: memory bandwidth and caches shared between the engine and the steps (the engine's rates are
/// those measured alone), the kernel's small share for the steps while the engine runs (batch weight 16 against 1024 per
/// engine thread: under 1%), and the gateway's own CPU.</para>
/// </remarks>
internal sealed class MixedSimulation
{
    private const string Bulk = "bulk";

    private readonly MixedOptions _o;
    private readonly bool _shared;
    private readonly ServingSimulation _serving;
    private readonly SchedulingPass _pass = new(PlacementPolicies.Create("best-fit")!);
    private readonly Node[] _nodes;
    private readonly string _stepSideModel;
    private readonly int _threads;
    private readonly ModelSpeed _half;
    private readonly int _stepCores;
    private readonly IReadOnlyList<TaskDefinition> _tasks;
    private readonly int _bulkIndex;
    private readonly RunSummaryBuilder _online;
    private readonly Dictionary<long, Shard> _lines = [];
    private readonly SortedSet<int> _prepsReady = [];
    private readonly SortedSet<int> _postsReady = [];
    private readonly ResourceRequest _stepRequest;
    private readonly double _prepPath;
    private readonly double _postPath;
    private DateTimeOffset _start;
    private DateTimeOffset _end;
    private int _nextShard;
    private long _nextId = 1L << 40;
    private bool _over;
    private long _preps;
    private long _posts;
    private long _linesDone;
    private long _linesRetried;
    private double _stepCoreSeconds;

    /// <param name="options">The workload and the cluster.</param>
    /// <param name="shared">True for one shared pool, false for the static split.</param>
    /// <param name="full">The model's token model with a compute thread per core of a node (the shared pool's replica).</param>
    /// <param name="half">The same with half the threads (each replica of the split).</param>
    /// <param name="sharedThreads">The shared pool's replica's compute threads: a thread per core (0, the default) or half as
    /// many (then at <paramref name="half"/>'s rates), leaving a core to the steps even while it serves.</param>
    public MixedSimulation(MixedOptions options, bool shared, ModelSpeed full, ModelSpeed half, int sharedThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nodes < 1 || options.Cores < 2 || options.Cores % 2 != 0)
        {
            throw new ArgumentException("a mixed simulation needs at least one node of an even number of cores (the split halves them)", nameof(options));
        }

        _o = options;
        _shared = shared;
        _nodes = [.. Enumerable.Range(0, options.Nodes).Select(i => new Node(i))];
        _stepCores = shared ? options.Cores : options.Cores / 2;
        if (sharedThreads != 0 && sharedThreads != options.Cores && sharedThreads != options.Cores / 2)
        {
            throw new ArgumentException("the shared replica runs a thread per core or half as many (the rates measured)", nameof(sharedThreads));
        }

        var threads = shared && sharedThreads != 0 ? sharedThreads : shared ? options.Cores : options.Cores / 2;
        _threads = threads;
        _half = half;
        Label = !shared ? "split"
            : threads != options.Cores ? string.Create(CultureInfo.InvariantCulture, $"shared, {threads} thread(s)")
            : options.BackgroundPasses && options.FollowFrom < PriorityClass.Low ? $"shared, {options.FollowFrom.Name()} and less urgent passes leave steps a core"
            : options.BackgroundPasses ? "shared, batch passes leave steps a core" : "shared";
        _stepSideModel = shared ? "m" : "batch";
        var online = shared ? "m" : "online";
        _tasks =
        [
            new TaskDefinition { Name = "chat", Priority = PriorityClass.High, Latency = options.SloChat, Models = [online] },
            new TaskDefinition { Name = "search", Priority = PriorityClass.Normal, Latency = options.SloSearch, Models = [online] },
            new TaskDefinition { Name = Bulk, Priority = PriorityClass.Batch, Models = [_stepSideModel], MaxConcurrency = 64 * options.Nodes },
        ];
        _bulkIndex = 2;
        var models = shared
            ? new List<(ModelDefinition, ModelSpeed)> { (Model("m", options.Slots * 2, threads, options.Nodes), threads == options.Cores ? full : half) }
            : [(Model("online", options.Slots, options.Cores / 2, options.Nodes), half), (Model("batch", options.Slots, options.Cores / 2, options.Nodes), half)];
        var setup = new SimSetup(_tasks, models, new DeviceSettings { CpuMemory = options.Nodes * options.NodeMemory }, new SchedulerSettings(), _ => -1, "");
        var scheduler = setup.Scheduler;
        _serving = new ServingSimulation(
            setup,
            new SimPolicies("default", scheduler.Queue, scheduler.Eviction, scheduler.Routing, Admission: true, EnginePreemption: true),
            () => TimeSpan.FromSeconds(1),
            _ => EvictionPolicies.Create(scheduler.Eviction)!)
        {
            InFlightChanged = EngineChanged,
        };
        _online = new RunSummaryBuilder(_tasks.Where(t => t.Latency is not null).ToDictionary(t => t.Name, t => new SloTarget(null, t.Latency), StringComparer.Ordinal));
        // The steps' memory: all of a node's for the shared pool's steps, half for the split's batch side (its model is charged apart).
        _stepRequest = new ResourceRequest(1000, options.StepMemory, 0);
        // Remaining critical paths as the live scheduler predicts them (seconds of the chain from the step on): a prep holds up
        // its inference and its post, a post nothing; every prep therefore comes before any post, as live.
        var infer = options.Lines / (double)options.Concurrency;
        _prepPath = (2 * options.CpuStepSeconds) + infer;
        _postPath = options.CpuStepSeconds;
    }

    /// <summary>"split", "shared", "shared, N thread(s)" when the shared replica runs fewer threads than cores, or "shared, batch passes leave steps a core" with <see cref="MixedOptions.BackgroundPasses"/>.</summary>
    public string Label { get; }

    /// <summary>Runs the workload: <paramref name="trace"/>'s requests (a stretch of it per node) and the pipeline's backlog.</summary>
    public MixedResult Run(IReadOnlyList<TraceRequest> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        _start = DateTimeOffset.UnixEpoch;
        _end = _start + _o.Window;
        _serving.At(_start, Schedule);
        _serving.At(_end, Over);
        _serving.Run(Online(trace), _start, Ended);
        var busy = _nodes.Sum(n => n.BusySeconds);
        var online = _online.Build(Label, [], _o.Window);
        return new MixedResult(
            Label,
            online,
            _preps,
            _posts,
            _linesDone,
            _linesRetried,
            _stepCoreSeconds / (_o.Nodes * _o.Cores * _o.Window.TotalSeconds),
            busy / (_o.Nodes * _o.Window.TotalSeconds));
    }

    private static ModelDefinition Model(string name, int slots, int threads, int replicas) => new()
    {
        Name = name,
        Slots = slots,
        Threads = threads,
        ReplicasMin = replicas,
        ReplicasMax = replicas,
        KeepAlive = null,
        Memory = 256L << 20,
    };

    /// <summary>
    /// The online requests within the window: each node gets its own stretch of the trace, window × speed seconds long (node
    /// k the k-th stretch from the start, wrapping round the trace's end), played at <see cref="MixedOptions.SpeedPerNode"/>;
    /// the cluster's traffic is their union. One node gets what the live run sends; more nodes carry the trace's whole mix
    /// of quiet and busy stretches at the same rate per node.
    /// </summary>
    private IEnumerable<SimRequest> Online(IReadOnlyList<TraceRequest> trace)
    {
        if (trace.Count == 0)
        {
            return [];
        }

        var span = (trace[^1].Offset + TimeSpan.FromSeconds(1)).TotalSeconds;
        var stretch = _o.Window.TotalSeconds * _o.SpeedPerNode;
        var arrivals = new List<(double At, TraceRequest Row)>();
        for (var node = 0; node < _o.Nodes; node++)
        {
            var from = node * stretch % span;
            for (var lap = 0; lap * span < from + stretch; lap++)
            {
                foreach (var r in trace)
                {
                    var t = r.Offset.TotalSeconds + (lap * span) - from;
                    if (t >= 0 && t < stretch)
                    {
                        arrivals.Add((t / _o.SpeedPerNode, r));
                    }
                }
            }
        }

        return arrivals.OrderBy(a => a.At).Select((a, i) => Request(a.Row, _start + TimeSpan.FromSeconds(a.At), i + 1)); // a stable sort: the same run every time
    }

    /// <summary>Request <paramref name="id"/> from a trace row: the live run's scaling of lengths, its class by a stable hash of the id.</summary>
    private SimRequest Request(TraceRequest r, DateTimeOffset arrival, long id)
    {
        var words = Math.Clamp((int)Math.Round(r.PromptTokens / (double)_o.PromptDivisor), 1, _o.MaxPromptWords);
        var index = StableHash.Unit(StableHash.Mix((ulong)id)) < _o.ChatShare ? 0 : 1;
        var task = _tasks[index];
        var output = Math.Clamp((int)Math.Round(r.OutputTokens / (double)_o.OutputDivisor), 1, _o.MaxOutput);
        return new SimRequest
        {
            Id = id,
            Task = task.Name,
            Priority = task.Priority,
            Arrival = arrival,
            Deadline = arrival + task.Latency!.Value,
            Cost = output,
            TaskIndex = index,
            PromptTokens = Math.Max(1, (int)Math.Round(words * _o.TokensPerWord)),
            OutputTokens = output,
        };
    }

    private void Ended(SimRequest request)
    {
        if (request.TaskIndex != _bulkIndex)
        {
            _online.Add(SimResults.Of(request, _tasks[request.TaskIndex].Name));
            return;
        }

        var shard = _lines[request.Id];
        _lines.Remove(request.Id);
        if (_over)
        {
            return;
        }

        if (request.Outcome != SimOutcome.Completed)
        {
            _linesRetried++;
            _serving.At(_serving.Now + _o.Retry, () => Send(shard)); // the step sends the line again after Retry-After
            return;
        }

        _linesDone++;
        shard.Done++;
        if (shard.Done == _o.Lines)
        {
            _postsReady.Add(shard.Index);
            Schedule();
        }
        else if (shard.Sent < _o.Lines)
        {
            shard.Sent++;
            Send(shard);
        }
    }

    /// <summary>Sends one line of <paramref name="shard"/> to <c>bulk</c> now.</summary>
    private void Send(Shard shard)
    {
        if (_over)
        {
            return;
        }

        var now = _serving.Now;
        var request = new SimRequest
        {
            Id = _nextId++,
            Task = Bulk,
            Priority = PriorityClass.Batch,
            Arrival = now,
            Deadline = now + TimeSpan.FromHours(1),
            Cost = _o.LineOutputTokens,
            TaskIndex = _bulkIndex,
            PromptTokens = _o.LinePromptTokens,
            OutputTokens = _o.LineOutputTokens,
        };
        _lines[request.Id] = shard;
        _serving.Inject(request);
    }

    /// <summary>The window is over: what runs now is not counted, nothing more starts.</summary>
    private void Over()
    {
        foreach (var node in _nodes)
        {
            Rerate(node); // brings the core-seconds up to the end
            if (node.EngineBusy)
            {
                node.BusySeconds += (_serving.Now - node.BusySince).TotalSeconds;
                node.BusySince = _serving.Now;
            }

            foreach (var step in node.Steps)
            {
                step.Version++; // its finish event is now stale
            }

            node.Steps.Clear();
        }

        _over = true;
    }

    /// <summary>A replica's requests in flight changed: when its node's engine went busy or idle, the node's steps are re-rated.</summary>
    private void EngineChanged(SimReplica replica)
    {
        if (_over || replica.Model.Definition.Name != _stepSideModel)
        {
            return;
        }

        var node = _nodes[replica.Number];
        node.Replica = replica;
        var busy = replica.InFlight > 0;
        if (busy != node.EngineBusy)
        {
            var now = _serving.Now;
            if (busy)
            {
                node.BusySince = now;
            }
            else
            {
                node.BusySeconds += (now - node.BusySince).TotalSeconds;
            }

            node.EngineBusy = busy;
        }

        if (FollowSteps(node))
        {
            Rerate(node);
        }
    }

    /// <summary>
    /// The threads <paramref name="node"/>'s engine runs on now, as <c>yard serve</c>'s builtin replica decides them: none while it
    /// serves nothing; half of them for a pass of batch lines alone while steps run on the node (a core left to them, as
    /// <c>BuiltinReplica.FollowSteps</c> with two cores), at the rates measured with half the threads; else all. True when the
    /// count changed (the steps are then re-rated by the caller; the replica's requests by the serving simulation).
    /// </summary>
    private bool FollowSteps(Node node)
    {
        var threads = 0;
        var background = false;
        if (node.EngineBusy && node.Replica is { } replica)
        {
            background = _shared && _o.BackgroundPasses && _threads > 1 && node.Steps.Count > 0
                && replica.Snapshot().MostUrgentInFlight is { } urgent && urgent >= _o.FollowFrom;
            threads = background ? _threads / 2 : _threads;
            var speed = background ? _half : null;
            if (replica.SpeedNow != speed)
            {
                replica.SpeedNow = speed;
                _serving.Rerate(replica);
            }
        }

        if (threads == node.EngineThreads)
        {
            return false;
        }

        node.EngineThreads = threads;
        return true;
    }

    /// <summary>Brings each step of <paramref name="node"/> up to now at the rate it had, then rates it by the node's state now and schedules its end.</summary>
    private void Rerate(Node node)
    {
        var now = _serving.Now;
        var free = Math.Max(0, _stepCores - node.EngineThreads);
        var rate = node.Steps.Count == 0 ? 0 : Math.Min(1.0, free / (double)node.Steps.Count);
        foreach (var step in node.Steps)
        {
            var done = step.Rate * (now - step.RatedAt).TotalSeconds;
            step.Left -= done;
            _stepCoreSeconds += done;
            step.RatedAt = now;
            step.Rate = rate;
            var version = ++step.Version;
            if (rate > 0)
            {
                _serving.At(now + TimeSpan.FromSeconds(Math.Max(0, step.Left) / rate), () =>
                {
                    if (step.Version == version)
                    {
                        StepDone(step);
                    }
                });
            }
        }
    }

    private void StepDone(Step step)
    {
        var node = step.Node;
        _stepCoreSeconds += Math.Max(0, step.Left); // what it did since it was last rated
        node.Steps.Remove(step);
        step.Version++;
        FollowSteps(node); // the last step gone: the engine's batch passes take every thread again
        Rerate(node); // the others, up to now at their old rate, then sharing its core
        if (step.Prep)
        {
            _preps++;
            var shard = new Shard(step.Shard) { Sent = Math.Min(_o.Concurrency, _o.Lines) };
            for (var i = 0; i < shard.Sent; i++)
            {
                Send(shard);
            }
        }
        else
        {
            _posts++;
        }

        Schedule();
    }

    /// <summary>One placement pass over the ready CPU-bound steps, as the job scheduler's: its order and its pass.</summary>
    private void Schedule()
    {
        if (_over)
        {
            return;
        }

        var nodes = new NodeResources[_nodes.Length];
        var running = new List<RunningStep>();
        var now = (_serving.Now - _start).TotalSeconds;
        var free = 0;
        for (var i = 0; i < _nodes.Length; i++)
        {
            var n = new NodeResources(_stepCores * 1000L, _shared ? _o.NodeMemory : _o.NodeMemory / 2, 0);
            foreach (var step in _nodes[i].Steps)
            {
                n.Take(_stepRequest);
                running.Add(new RunningStep(running.Count, i, PriorityClass.Batch, _stepRequest, step.Started, step.Started + _o.CpuStepSeconds, true, 0, false));
            }

            free += (int)(n.CpuFree / 1000);
            nodes[i] = n;
        }

        if (free == 0)
        {
            return;
        }

        // Every shard not started is a ready prep (the backlog is longer than the window); offer as many of the first in the
        // ready order as there are free cores (all ask the same, so the pass would place no later one before them).
        while (_prepsReady.Count < free)
        {
            _prepsReady.Add(_nextShard++);
        }

        var offered = _prepsReady.Take(free).Select(s => (Shard: s, Prep: true, Order: new ReadyOrder(PriorityClass.Batch, _prepPath, 0, (s * 3) + 0)))
            .Concat(_postsReady.Take(free).Select(s => (Shard: s, Prep: false, Order: new ReadyOrder(PriorityClass.Batch, _postPath, 0, (s * 3) + 2))))
            .OrderBy(c => c.Order)
            .Take(free)
            .ToList();
        var ready = offered.Select((c, key) => new ReadyStep(key, PriorityClass.Batch, _stepRequest, _o.CpuStepSeconds, 0)).ToList();
        var plan = _pass.Plan(ready, nodes, running, new PassLimits(int.MaxValue, [int.MaxValue]), now);
        var touched = new HashSet<Node>();
        foreach (var (key, index, _) in plan.Starts)
        {
            var (shard, prep, _) = offered[key];
            (prep ? _prepsReady : _postsReady).Remove(shard);
            var node = _nodes[index];
            touched.Add(node);
            node.Steps.Add(new Step(node, shard, prep, now) { Left = _o.CpuStepSeconds, RatedAt = _serving.Now });
        }

        foreach (var node in touched)
        {
            FollowSteps(node);
            Rerate(node);
        }
    }

    private sealed class Node(int index)
    {
        public int Index { get; } = index;

        public List<Step> Steps { get; } = [];

        public bool EngineBusy { get; set; }

        /// <summary>The step side's replica on this node, once it has served anything.</summary>
        public SimReplica? Replica { get; set; }

        /// <summary>Cores its engine's compute threads take now (0 while it serves nothing).</summary>
        public int EngineThreads { get; set; }

        public DateTimeOffset BusySince { get; set; }

        public double BusySeconds { get; set; }

        public override string ToString() => "node " + Index.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class Step(Node node, int shard, bool prep, double started)
    {
        public Node Node { get; } = node;

        public int Shard { get; } = shard;

        public bool Prep { get; } = prep;

        public double Started { get; } = started;

        /// <summary>Core-seconds of work left, as of <see cref="RatedAt"/>.</summary>
        public double Left { get; set; }

        /// <summary>Cores it gets since <see cref="RatedAt"/> (at most one).</summary>
        public double Rate { get; set; }

        public DateTimeOffset RatedAt { get; set; }

        /// <summary>Bumped at every re-rating: a finish event of an older version is stale.</summary>
        public long Version { get; set; }
    }

    private sealed class Shard(int index)
    {
        public int Index { get; } = index;

        /// <summary>Lines sent (each sent once more after a refusal, not counted again).</summary>
        public int Sent { get; set; }

        public int Done { get; set; }
    }
}
