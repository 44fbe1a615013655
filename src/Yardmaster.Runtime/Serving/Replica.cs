using Yardmaster.Core;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

/// <summary>One replica's live state. Guarded by the scheduler's lock.</summary>
internal sealed class Replica(ModelEntry model, int number, string device)
{
    public ModelEntry Model { get; } = model;

    public int Number { get; } = number;

    /// <summary>The ledger account its memory is charged to ("cpu", "gpu0", ...).</summary>
    public string Device { get; } = device;

    public ReplicaState State { get; set; } = ReplicaState.Loading;

    public IReplicaInstance? Instance { get; set; }

    /// <summary>Bytes charged to the ledger: the estimate while loading, then the measurement.</summary>
    public long Memory { get; set; }

    public int InFlight { get; set; }

    /// <summary>Requests in flight by priority class (index: the class's number), counted for the preemption dispatch.</summary>
    public int[] InFlightByClass { get; } = new int[PriorityClasses.All.Count];

    public DateTimeOffset LastUsed { get; set; }

    public long Uses { get; set; }

    public TimeSpan LoadCost { get; set; }

    /// <summary>Why it is being unloaded (the first reason given, kept while it drains); null while it serves.</summary>
    public UnloadReason? UnloadCause { get; set; }

    /// <summary>The words of <see cref="UnloadCause"/>, for the log and the history.</summary>
    public string? UnloadDetail { get; set; }

    /// <summary>The replicas evicted to make room for it (for the decision traces of requests that wait for it).</summary>
    public IReadOnlyList<TraceEviction> Evictions { get; set; } = [];

    /// <summary>The most urgent class waiting for its model when its load began (its turn protects it from less urgent loads); null when none waited.</summary>
    public PriorityClass? LoadedFor { get; set; }

    /// <summary>When it became ready (taken over: when this server took it).</summary>
    public DateTimeOffset ReadyAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>When its load began.</summary>
    public DateTimeOffset LoadStarted { get; set; }

    /// <summary>Completes when the replica has been unloaded (its backend disposed).</summary>
    public Task Unloaded { get; set; } = Task.CompletedTask;

    /// <summary>The most urgent class it serves now; null when idle.</summary>
    private PriorityClass? MostUrgent()
    {
        for (var c = 0; c < InFlightByClass.Length; c++)
        {
            if (InFlightByClass[c] > 0)
            {
                return (PriorityClass)c;
            }
        }

        return null;
    }

    public ReplicaSnapshot Snapshot() => new(
        Model.Definition.Name, Number, State, Model.Definition.Device, Memory, Model.Definition.Slots, InFlight, LastUsed, Uses, LoadCost, Model.Definition.Pinned)
    {
        Account = Device,
        Node = Instance?.Node,
        Locator = Instance?.Locator,
        Preempts = Model.Definition.PreemptsInEngine,
        ReadyAt = ReadyAt,
        LoadedFor = LoadedFor,
        MostUrgentInFlight = MostUrgent(),
        InFlightByClass = Model.Definition.PreemptsInEngine ? [.. InFlightByClass] : [],
    };
}
