using Yardmaster.Core;
using Yardmaster.Core.Models;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// One simulated replica: its state, memory and slots, as the live scheduler's <c>Replica</c> keeps them. Every change
/// tells its model and its device (their counters, cached snapshots and fit answers follow), and its
/// <see cref="Snapshot"/> is kept until it changes.
/// </summary>
/// <param name="model">Its model.</param>
/// <param name="number">Its number within the model.</param>
/// <param name="device">The account it is charged to.</param>
/// <param name="sequence">When it was created, among every replica of the run (its place in the server's replica order).</param>
/// <param name="preempts">True when its engine gives a more urgent request a less urgent one's slot (the builtin runtime's
/// priority preemption): it may hold more requests than slots, and only the most urgent run.</param>
internal sealed class SimReplica(SimModel model, int number, SimDevice device, long sequence, bool preempts = false)
{
    private readonly int[] _inFlightByClass = new int[5];
    private ReplicaState _state = ReplicaState.Loading;
    private long _memory;
    private int _inFlight;
    private DateTimeOffset _lastUsed;
    private long _uses;
    private TimeSpan _loadCost;
    private DateTimeOffset _readyAt = DateTimeOffset.MinValue;
    private ReplicaSnapshot? _snapshot;

    public SimModel Model { get; } = model;

    public int Number { get; } = number;

    /// <summary>The account's name.</summary>
    public string Device => Account.Name;

    public SimDevice Account { get; } = device;

    public long Sequence { get; } = sequence;

    /// <summary>
    /// The requests it serves, when its model's rates depend on how many run at once (null otherwise): their progress is
    /// re-rated whenever one starts or ends.
    /// </summary>
    public List<SimRequest>? Running { get; } = model.Speed.Constant && !preempts ? null : [];

    /// <summary>True when its engine preempts less urgent sequences for more urgent requests.</summary>
    public bool Preempts { get; } = preempts;

    /// <summary>Its rates now when they are not its model's (a larger simulation runs its passes on fewer threads); null for its model's.</summary>
    public ModelSpeed? SpeedNow { get; set; }


    /// <summary>The place in the order of events of its live next-finish event (earlier ones, rescheduled since, are stale); -1 for none.</summary>
    public long NextSeq { get; set; } = -1;

    /// <summary>True when a request started or ended on it since its requests were last rated.</summary>
    public bool Unrated { get; set; }

    /// <summary>True while it is in its model's (and device's) replica list.</summary>
    public bool Listed { get; set; }

    public ReplicaState State
    {
        get => _state;
        set
        {
            if (Listed)
            {
                Model.Counted(_state, value);
            }

            _state = value;
            Changed();
        }
    }

    public long Memory
    {
        get => _memory;
        set
        {
            _memory = value;
            Changed();
        }
    }

    public int InFlight
    {
        get => _inFlight;
        set
        {
            if (Listed)
            {
                Model.InFlightChanged(value - _inFlight);
            }

            _inFlight = value;
            Changed();
        }
    }

    public DateTimeOffset LastUsed
    {
        get => _lastUsed;
        set
        {
            _lastUsed = value;
            Changed();
        }
    }

    public long Uses
    {
        get => _uses;
        set
        {
            _uses = value;
            Changed();
        }
    }

    public TimeSpan LoadCost
    {
        get => _loadCost;
        set
        {
            _loadCost = value;
            Changed();
        }
    }

    /// <summary>When it became ready.</summary>
    public DateTimeOffset ReadyAt
    {
        get => _readyAt;
        set
        {
            _readyAt = value;
            Changed();
        }
    }

    /// <summary>The most urgent class waiting when it was loaded: a less urgent load may not take its memory within its turn (as live).</summary>
    public PriorityClass? LoadedFor { get; init; }

    /// <summary>Its requests in flight, by class.</summary>
    public IReadOnlyList<int> InFlightByClass => _inFlightByClass;

    /// <summary>Counts a request of <paramref name="priority"/> starting (1) or ending (-1) on it, by class, as the live replica does.</summary>
    public void CountClass(PriorityClass priority, int delta)
    {
        _inFlightByClass[(int)priority] += delta;
        Changed();
    }

    /// <summary>What the passes see of it; the same instance until it changes.</summary>
    public ReplicaSnapshot Snapshot() => _snapshot ??= Fresh();

    /// <summary>A new snapshot from its fields (the verify mode checks the kept one against it).</summary>
    public ReplicaSnapshot Fresh() => new(
        Model.Definition.Name, Number, _state, Model.Definition.Device, _memory, Model.Definition.Slots, _inFlight, _lastUsed, _uses, _loadCost, Model.Definition.Pinned)
    {
        Account = Device,
        ReadyAt = _readyAt,
        LoadedFor = LoadedFor,
        Preempts = Preempts,
        InFlightByClass = [.. _inFlightByClass],
        MostUrgentInFlight = Array.FindIndex(_inFlightByClass, n => n > 0) is var c and >= 0 ? (PriorityClass)c : null,
    };

    private void Changed()
    {
        _snapshot = null;
        if (Listed)
        {
            Model.Touch();
            Account.Touch();
        }
    }
}
