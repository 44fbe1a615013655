using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// One simulated model: its queue, replicas and measurements, as the live scheduler's <c>ModelEntry</c> keeps them. Counts
/// by state and requests in flight are kept as replicas change (no scan), and its replicas' snapshots are listed once per change.
/// </summary>
/// <param name="definition">The model.</param>
/// <param name="queue">Its queue.</param>
/// <param name="speed">Its token model.</param>
/// <param name="index">Its place among the simulation's models (the server's replica order is by model, then by age).</param>
/// <param name="queueBudget">Its queueing budget (<see cref="ServingPass.QueueBudget"/> over the tasks; fixed for a run).</param>
internal sealed class SimModel(ModelDefinition definition, IRequestQueue queue, ModelSpeed speed, int index, TimeSpan queueBudget)
{
    private readonly List<SimReplica> _replicas = [];
    private readonly int[] _counts = new int[Enum.GetValues<ReplicaState>().Length];
    private int _inFlight;
    private List<ReplicaSnapshot>? _snapshots;
    private ModelState? _state;

    public ModelDefinition Definition { get; } = definition;

    public IRequestQueue Queue { get; } = queue;

    public ModelSpeed Speed { get; } = speed;

    public int Index { get; } = index;

    public TimeSpan QueueBudget { get; } = queueBudget;

    /// <summary>Its replicas, oldest first.</summary>
    public IReadOnlyList<SimReplica> Replicas => _replicas;

    /// <summary>Bytes a replica takes (the declared memory).</summary>
    public long Memory => Definition.Memory ?? 0;

    /// <summary>Index of <see cref="Memory"/> among the distinct replica sizes (for the devices' fit caches).</summary>
    public int NeedIndex { get; set; }

    /// <summary>Its device kind in words ("cpu", "gpu"), as the load step's input names it.</summary>
    public string DeviceWords { get; } = definition.Device.ToString().ToLowerInvariant();

    /// <summary>Whether some device's whole budget holds a replica (asked once: budgets do not change); null until asked.</summary>
    public bool? FitsSomeBudget { get; set; }

    /// <summary>Load time of the last load (the server's estimate before any: 2 s).</summary>
    public TimeSpan LoadEstimate { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Service times over all, and foreground and background apart, as the live model's.</summary>
    public ServiceEstimates Service { get; } = new(TimeSpan.FromSeconds(1));

    /// <summary>For a model whose engine preempts: the slots a request of <paramref name="priority"/> may still take on its ready replicas, and the requests as urgent or more in flight there (as the live model's).</summary>
    public (int Free, int Ahead) SlotsFor(Core.PriorityClass priority)
    {
        var free = 0;
        var ahead = 0;
        foreach (var r in _replicas)
        {
            if (r.State == ReplicaState.Ready)
            {
                var (f, a) = ServingPass.PreemptingSlots(Definition.Slots, r.InFlightByClass, r.InFlight, priority);
                free += f;
                ahead += a;
            }
        }

        return (free, ahead);
    }

    public DateTimeOffset NextLoadAt { get; set; }

    public long Loads { get; set; }

    public TimeSpan LoadTime { get; set; }

    /// <summary>Since when its loads have been refused for want of memory; null when not blocked.</summary>
    /// <summary>The most urgent class waiting when its load was last refused; less urgent loads of other models on its kind of device wait behind it (as live).</summary>
    public Core.PriorityClass? BlockedFor { get; set; }

    public DateTimeOffset? BlockedSince { get; set; }

    public long BytesLoaded { get; set; }

    public void Add(SimReplica replica)
    {
        _replicas.Add(replica);
        replica.Listed = true;
        _counts[(int)replica.State]++;
        _inFlight += replica.InFlight;
        replica.Account.Add(replica);
        Touch();
    }

    public void Remove(SimReplica replica)
    {
        if (!_replicas.Remove(replica))
        {
            return;
        }

        replica.Listed = false;
        _counts[(int)replica.State]--;
        _inFlight -= replica.InFlight;
        replica.Account.Remove(replica);
        Touch();
    }

    public int Count(ReplicaState state) => _counts[(int)state];

    public int ReadySlots() => Count(ReplicaState.Ready) * Definition.Slots;

    public int InFlight() => _inFlight;

    /// <summary>What the dispatch, scale-out and idle steps know of it now; the same instance while nothing in it changed (a record: equal values, equal input).</summary>
    public ModelState State()
    {
        var ready = Count(ReplicaState.Ready);
        var loading = Count(ReplicaState.Loading);
        var queued = Queue.Count;
        var service = Service.Mean;
        if (_state is not { } s || s.Ready != ready || s.Loading != loading || s.Queued != queued || s.Service != service || s.NextLoadAt != NextLoadAt)
        {
            _state = new ModelState(
                Definition.Name, false, ready, loading, Definition.ReplicasMin, Definition.ReplicasMax, queued, ready * Definition.Slots, service, NextLoadAt, Definition.KeepAlive, QueueBudget);
        }

        return _state;
    }

    /// <summary>Its replicas' snapshots, in order; the same list until a replica changes (callers only read it).</summary>
    public List<ReplicaSnapshot> Snapshots()
    {
        if (_snapshots is null)
        {
            _snapshots = new List<ReplicaSnapshot>(_replicas.Count);
            foreach (var r in _replicas)
            {
                _snapshots.Add(r.Snapshot());
            }
        }

        return _snapshots;
    }

    /// <summary>A listed replica moved from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Counted(ReplicaState from, ReplicaState to)
    {
        _counts[(int)from]--;
        _counts[(int)to]++;
    }

    public void InFlightChanged(int delta) => _inFlight += delta;

    /// <summary>A replica changed: its snapshots are listed again when next asked for.</summary>
    public void Touch() => _snapshots = null;

    /// <summary>The counts and list checked against a scan of the replicas (the simulation's verify mode).</summary>
    /// <summary>Two lists of snapshots alike, field by field and the per-class counts by content (a record compares lists by reference).</summary>
    internal static bool Same(IReadOnlyList<ReplicaSnapshot> a, IReadOnlyList<ReplicaSnapshot> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.InFlightByClass.SequenceEqual(p.Second.InFlightByClass)
            && p.First with { InFlightByClass = [] } == p.Second with { InFlightByClass = [] });

    public bool Consistent() =>
        Enum.GetValues<ReplicaState>().All(s => _counts[(int)s] == _replicas.Count(r => r.State == s))
        && _inFlight == _replicas.Sum(r => r.InFlight)
        && Same(Snapshots(), [.. _replicas.Select(r => r.Fresh())])
        && State() == new ModelState(
            Definition.Name, false, _replicas.Count(r => r.State == ReplicaState.Ready), _replicas.Count(r => r.State == ReplicaState.Loading), Definition.ReplicasMin,
            Definition.ReplicasMax, Queue.Count, _replicas.Count(r => r.State == ReplicaState.Ready) * Definition.Slots, Service.Mean, NextLoadAt, Definition.KeepAlive, QueueBudget);
}
