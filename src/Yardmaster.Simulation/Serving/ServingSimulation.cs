using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// A deterministic discrete-event simulation of the serving scheduler: every decision (admission, model selection, dispatch,
/// load and eviction, scale-out, idle unloads, minimums) is the live server's own <see cref="ServingPass"/> over the same
/// policies; only the mechanics around them (a clock, a heap of events, replicas whose service and load times come from
/// <see cref="ModelSpeed"/>) are the simulator's. Unloads are instant; every other time is simulated.
/// </summary>
internal sealed partial class ServingSimulation
{
    private static readonly TimeSpan _tick = TimeSpan.FromSeconds(1);

    private readonly SimSetup _setup;
    private readonly SimPolicies _policies;
    private readonly Func<TimeSpan> _sampleLoad;
    private readonly IRoutingPolicy _routing;
    private readonly Func<string, IEvictionPolicy> _newEviction;
    private readonly Dictionary<string, IEvictionPolicy> _eviction = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimDevice> _devices = new(StringComparer.Ordinal);
    private readonly SimDevice[] _cpuDevices;
    private readonly SimDevice[] _gpuDevices;
    private readonly List<SimModel> _models = [];
    private readonly Dictionary<string, SimModel> _byName = new(StringComparer.Ordinal);
    private readonly List<SimTask> _tasks;
    private readonly PriorityQueue<(EventKind Kind, object? Subject), (DateTimeOffset At, long Seq)> _events = new();

    /// <summary>The wait limits of queued requests, apart from the other events so that a request served or shed is dropped at once (nothing keeps an ended request).</summary>
    private readonly SortedSet<(DateTimeOffset At, long Seq, SimRequest Request)> _waits = new(WaitOrder.Instance);
    /// <summary>Replicas where a request started or ended during the event being handled (their requests are re-rated after it).</summary>
    private readonly List<SimReplica> _unrated = [];
    private long _seq;
    private long _replicaSeq;
    private DateTimeOffset _now;
    private int _pending;
    private IEnumerator<SimRequest>? _arrivals;
    private DateTimeOffset? _tickAt;
    private Action<SimRequest> _ended = _ => { };

    /// <param name="setup">Tasks, models, devices, settings.</param>
    /// <param name="policies">The policies of this run.</param>
    /// <param name="sampleLoad">A load time, for a model whose speed sets none.</param>
    /// <param name="eviction">Makes the eviction policy of a device (the bound passes an oracle).</param>
    public ServingSimulation(SimSetup setup, SimPolicies policies, Func<TimeSpan> sampleLoad, Func<string, IEvictionPolicy> eviction)
    {
        _setup = setup;
        _policies = policies;
        _sampleLoad = sampleLoad;
        _newEviction = eviction;
        _routing = RoutingPolicies.Create(policies.Routing, new Random(1)) ?? throw new ArgumentException($"unknown routing policy '{policies.Routing}'", nameof(policies));
        var queue = QueuePolicies.Create(policies.Queue) ?? throw new ArgumentException($"unknown queue policy '{policies.Queue}'", nameof(policies));
        var needs = setup.Models.Count; // a fit answer per model: its size, and its own replicas are not counted as evictable
        _devices["cpu"] = new SimDevice("cpu", setup.Devices.CpuMemory, needs);
        foreach (var gpu in setup.Devices.Gpus)
        {
            var name = "gpu" + gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _devices[name] = new SimDevice(name, gpu.Memory, needs);
        }

        _cpuDevices = [_devices["cpu"]];
        _gpuDevices = [.. _devices.Keys.Where(k => k.StartsWith("gpu", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => _devices[k])];
        foreach (var (definition, speed) in setup.Models)
        {
            var model = new SimModel(definition, queue.CreateQueue(setup.Scheduler.QueueOptions), speed, _models.Count, ServingPass.QueueBudget(definition.Name, setup.Tasks))
            {
                NeedIndex = _models.Count,
            };
            _models.Add(model);
            _byName[definition.Name] = model;
        }

        _tasks = [.. setup.Tasks.Select(t => new SimTask(t))];
    }

    private enum EventKind
    {
        Arrive,
        Finish,

        /// <summary>The next finish on a replica whose rates depend on concurrency (its requests' finishes move as others start and end).</summary>
        NextFinish,
        Loaded,
        Tick,

        /// <summary>A running request's deadline: the server stops answering it (504), as the gateway does, and frees its slot.</summary>
        Cutoff,

        /// <summary>A request another part of a larger simulation sends now (<see cref="Inject"/>), apart from the trace's arrivals.</summary>
        Injected,

        /// <summary>An action of a larger simulation, in the same order of events (<see cref="At"/>).</summary>
        External,
    }

    /// <summary>Now, in simulated time.</summary>
    public DateTimeOffset Now => _now;

    /// <summary>Hears a replica whose requests in flight changed (one started or ended on it), after the change.</summary>
    public Action<SimReplica>? InFlightChanged { get; init; }

    /// <summary>Runs <paramref name="action"/> at <paramref name="at"/> (not before now), in the one order of events: what a larger simulation (steps beside serving) schedules.</summary>
    public void At(DateTimeOffset at, Action action) => Schedule(at < _now ? _now : at, EventKind.External, action);

    /// <summary>Re-rates <paramref name="replica"/>'s requests once the event being handled ends (its <see cref="SimReplica.SpeedNow"/> changed).</summary>
    public void Rerate(SimReplica replica)
    {
        if (replica.Running is not null)
        {
            MarkUnrated(replica);
        }
    }

    /// <summary>Sends <paramref name="request"/> now (its arrival should be now), as a client outside the trace would: admitted or refused as any other.</summary>
    public void Inject(SimRequest request)
    {
        _pending++;
        Schedule(_now, EventKind.Injected, request);
    }

    /// <summary>Every model, after <see cref="Run"/>.</summary>
    public IReadOnlyList<SimModel> Models => _models;

    /// <summary>Every task, after <see cref="Run"/>.</summary>
    public IReadOnlyList<SimTask> Tasks => _tasks;

    /// <summary>
    /// True to check, at every step, that the kept counts, snapshots and device lists equal a fresh scan, and that the
    /// per-device fit answers equal <see cref="ServingPass.CanFitNow"/> over the full input (slow; for tests).
    /// </summary>
    public bool Verify { get; init; }

    /// <summary>Requests queued on any model now.</summary>
    public int Queued => _models.Sum(m => m.Queue.Count);

    /// <summary>Requests being served now.</summary>
    public int InFlight => _models.Sum(m => m.InFlight());

    /// <summary>Requests the engine holds now: read (the next arrival), queued or in flight; an ended request is forgotten.</summary>
    public int Held => _pending;

    /// <summary>Events scheduled now (arrivals, finishes, loads, ticks; the wait limits of queued requests are kept apart).</summary>
    public int Scheduled => _events.Count;

    /// <summary>
    /// Replays <paramref name="requests"/> (in arrival order, read one ahead: memory does not grow with the trace's length)
    /// to the end; <paramref name="ended"/> hears each as it ends, its outcome set, and it is forgotten.
    /// </summary>
    public void Run(IEnumerable<SimRequest> requests, DateTimeOffset start, Action<SimRequest> ended)
    {
        ArgumentNullException.ThrowIfNull(requests);
        _ended = ended;
        _now = start;
        foreach (var model in _models)
        {
            for (var i = 0; i < model.Definition.ReplicasMin; i++)
            {
                Warm(model);
            }
        }

        using var arrivals = requests.GetEnumerator();
        _arrivals = arrivals;
        NextArrival();
        EnsureTick(start + _tick);
        while (true)
        {
            if (_unrated.Count > 0)
            {
                RateUnrated();
            }

            var hasEvent = _events.TryPeek(out var e, out var at);
            if (_waits.Count > 0 && (!hasEvent || WaitOrder.Instance.Compare(_waits.Min, (at.At, at.Seq, null!)) < 0))
            {
                var wait = _waits.Min;
                _waits.Remove(wait);
                _now = wait.At;
                Wait(wait.Request);
                continue;
            }

            if (!hasEvent)
            {
                break;
            }

            _events.Dequeue();
            _now = at.At;
            switch (e.Kind)
            {
                case EventKind.Arrive:
                    NextArrival();
                    EnsureTick(_now + _tick);
                    Arrive((SimRequest)e.Subject!);
                    break;
                case EventKind.Finish: Finish((SimRequest)e.Subject!); break;
                case EventKind.NextFinish when ((SimReplica)e.Subject!).NextSeq == at.Seq: NextFinish((SimReplica)e.Subject!); break;
                case EventKind.Loaded: Loaded((SimReplica)e.Subject!); break;
                case EventKind.Tick when (DateTimeOffset)e.Subject! == _tickAt: Tick(); break;
                case EventKind.Cutoff: Cutoff((CutoffEvent)e.Subject!); break;
                case EventKind.Injected:
                    EnsureTick(_now + _tick);
                    Arrive((SimRequest)e.Subject!);
                    break;
                case EventKind.External: ((Action)e.Subject!)(); break;
            }
        }

        _arrivals = null;
    }

    private void NextArrival()
    {
        if (_arrivals!.MoveNext())
        {
            var next = _arrivals.Current;
            Schedule(next.Arrival < _now ? _now : next.Arrival, EventKind.Arrive, next);
            _pending++;
        }
    }

    /// <summary>Schedules an event; its place in the order of events at the same time.</summary>
    private long Schedule(DateTimeOffset at, EventKind kind, object? subject)
    {
        _events.Enqueue((kind, subject), (at, _seq));
        return _seq++;
    }

    /// <summary>Schedules <paramref name="request"/>'s wait limit (in the one order of events: time, then when scheduled).</summary>
    private void ScheduleWait(DateTimeOffset at, SimRequest request)
    {
        request.WaitKey = (at, _seq++);
        _waits.Add((at, request.WaitKey.Seq, request));
    }

    /// <summary>Drops the wait limit of a request that left its queue.</summary>
    private void DropWait(SimRequest request) => _waits.Remove((request.WaitKey.At, request.WaitKey.Seq, request));

    /// <summary>A replica ready from the start (the server starts warm to <c>replicas.min</c>): no load counted.</summary>
    private void Warm(SimModel model)
    {
        var device = PlanLoad(model).Device;
        if (device is null)
        {
            return;
        }

        var replica = new SimReplica(model, model.Replicas.Count, _devices[device], _replicaSeq++, Preempts(model)) { State = ReplicaState.Ready, Memory = model.Memory, LastUsed = _now, ReadyAt = _now };
        model.Add(replica);
        replica.Account.Charge(replica.Memory);
    }

    private void Tick()
    {
        foreach (var model in _models)
        {
            UnloadIdle(model);
            if (ServingPass.BelowMinimum(model.State(), _now))
            {
                StartLoad(model);
            }
        }

        PumpBlocked();
        foreach (var model in _models)
        {
            Pump(model);
        }

        _tickAt = null;
        // Below its minimum, a model is retried on ticks until a load is refused for want of memory: then only a change (a request,
        // an unload) can help, and ticking on would never end the run.
        if (_models.Exists(m => m.Queue.Count > 0 || m.Count(ReplicaState.Loading) > 0 || (m.Count(ReplicaState.Ready) < m.Definition.ReplicasMin && m.BlockedSince is null)))
        {
            EnsureTick(_now + _tick);
        }
        else if (NextIdleExpiry() is { } expiry)
        {
            EnsureTick(expiry); // nothing to do until then, or until a request comes (which ensures a tick)
        }
    }

    /// <summary>Makes sure the housekeeping runs by <paramref name="at"/> (ticks are 1 s apart while anything waits, and sparse while idle, so a trace of weeks costs no more than its events).</summary>
    private void EnsureTick(DateTimeOffset at)
    {
        at = at < _now + _tick ? _now + _tick : at;
        if (_tickAt is { } scheduled && scheduled <= at)
        {
            return;
        }

        _tickAt = at;
        Schedule(at, EventKind.Tick, at);
    }

    /// <summary>When the first idle replica passes its keep-alive; null when none will.</summary>
    private DateTimeOffset? NextIdleExpiry()
    {
        DateTimeOffset? first = null;
        foreach (var model in _models)
        {
            if (model.Definition.KeepAlive is not { } keepAlive || model.Count(ReplicaState.Ready) <= model.Definition.ReplicasMin)
            {
                continue;
            }

            foreach (var r in model.Replicas)
            {
                if (r.State == ReplicaState.Ready && r.InFlight == 0 && (first is null || r.LastUsed + keepAlive < first))
                {
                    first = r.LastUsed + keepAlive;
                }
            }
        }

        return first;
    }

    private IEvictionPolicy EvictionFor(string device)
    {
        if (!_eviction.TryGetValue(device, out var policy))
        {
            policy = _newEviction(device);
            _eviction[device] = policy;
        }

        return policy;
    }

    /// <summary>The load step's full input for <paramref name="model"/>, as the server builds it: every device of its kind and every replica on them (the verify mode's reference).</summary>
    private LoadInput FullLoadInput(SimModel model)
    {
        var kind = model.Definition.Device;
        var devices = DevicesOf(model).Select(d => new DeviceFree(d.Name, d.Budget, d.Free)).ToList();
        var names = devices.Select(d => d.Device).ToHashSet(StringComparer.Ordinal);
        var replicas = new List<ReplicaSnapshot>();
        foreach (var m in _models)
        {
            foreach (var r in m.Replicas)
            {
                if (names.Contains(r.Device))
                {
                    replicas.Add(r.Fresh());
                }
            }
        }

        return new LoadInput(model.Memory, null, devices, replicas, kind.ToString().ToLowerInvariant()) { Model = model.Definition.Name };
    }
}
