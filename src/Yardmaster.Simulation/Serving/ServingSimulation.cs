using Yardmaster.Core.Configuration;
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
    private readonly Dictionary<string, (long Budget, long Used)> _devices = new(StringComparer.Ordinal);
    private readonly List<SimModel> _models = [];
    private readonly Dictionary<string, SimModel> _byName = new(StringComparer.Ordinal);
    private readonly List<SimTask> _tasks;
    private readonly PriorityQueue<(EventKind Kind, object? Subject), (DateTimeOffset At, long Seq)> _events = new();
    private long _seq;
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
        _devices["cpu"] = (setup.Devices.CpuMemory, 0);
        foreach (var gpu in setup.Devices.Gpus)
        {
            _devices["gpu" + gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = (gpu.Memory, 0);
        }

        foreach (var (definition, speed) in setup.Models)
        {
            var model = new SimModel(definition, queue.CreateQueue(setup.Scheduler.QueueOptions), speed);
            _models.Add(model);
            _byName[definition.Name] = model;
        }

        _tasks = [.. setup.Tasks.Select(t => new SimTask(t))];
    }

    private enum EventKind
    {
        Arrive,
        Finish,
        Loaded,
        Wait,
        Tick,
    }

    /// <summary>Every model, after <see cref="Run"/>.</summary>
    public IReadOnlyList<SimModel> Models => _models;

    /// <summary>Every task, after <see cref="Run"/>.</summary>
    public IReadOnlyList<SimTask> Tasks => _tasks;

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
        while (_events.TryDequeue(out var e, out var at))
        {
            _now = at.At;
            switch (e.Kind)
            {
                case EventKind.Arrive:
                    NextArrival();
                    EnsureTick(_now + _tick);
                    Arrive((SimRequest)e.Subject!);
                    break;
                case EventKind.Finish: Finish((SimRequest)e.Subject!); break;
                case EventKind.Loaded: Loaded((SimReplica)e.Subject!); break;
                case EventKind.Wait: Wait((SimRequest)e.Subject!); break;
                case EventKind.Tick when (DateTimeOffset)e.Subject! == _tickAt: Tick(); break;
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

    private void Schedule(DateTimeOffset at, EventKind kind, object? subject) => _events.Enqueue((kind, subject), (at, _seq++));

    /// <summary>A replica ready from the start (the server starts warm to <c>replicas.min</c>): no load counted.</summary>
    private void Warm(SimModel model)
    {
        var device = ServingPass.Load(LoadInputFor(model), EvictionFor, _now).Device;
        if (device is null)
        {
            return;
        }

        var replica = new SimReplica(model, model.Replicas.Count, device) { State = ReplicaState.Ready, Memory = model.Memory, LastUsed = _now };
        model.Replicas.Add(replica);
        Charge(device, replica.Memory);
    }

    private void Tick()
    {
        foreach (var model in _models)
        {
            UnloadIdle(model);
            if (ServingPass.BelowMinimum(model.State(Budget(model)), _now))
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
        if (_models.Exists(m => m.Queue.Count > 0 || m.Count(ReplicaState.Loading) > 0 || m.Count(ReplicaState.Ready) < m.Definition.ReplicasMin))
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

    private void Charge(string device, long bytes)
    {
        var (budget, used) = _devices[device];
        _devices[device] = (budget, used + bytes);
    }

    private void Refund(string device, long bytes)
    {
        var (budget, used) = _devices[device];
        _devices[device] = (budget, Math.Max(0, used - bytes));
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

    private TimeSpan Budget(SimModel model) => ServingPass.QueueBudget(model.Definition.Name, _setup.Tasks);

    private LoadInput LoadInputFor(SimModel model)
    {
        var kind = model.Definition.Device;
        var devices = _devices.Keys.Where(k => kind == DeviceKind.Cpu ? k == "cpu" : k.StartsWith("gpu", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(d => new DeviceFree(d, _devices[d].Budget, Math.Max(0, _devices[d].Budget - _devices[d].Used))).ToList();
        var replicas = new List<ReplicaSnapshot>();
        foreach (var m in _models)
        {
            foreach (var r in m.Replicas)
            {
                if (devices.Exists(d => d.Device == r.Device))
                {
                    replicas.Add(r.Snapshot());
                }
            }
        }

        return new LoadInput(model.Memory, null, devices, replicas, kind.ToString().ToLowerInvariant());
    }
}
