using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Models;

/// <summary>What the policies know of one replica at one moment. Immutable.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Replica">The replica's number within the model.</param>
/// <param name="State">Its state.</param>
/// <param name="Device">Whose memory it uses.</param>
/// <param name="MemoryBytes">Its footprint (measured once loaded, else estimated).</param>
/// <param name="Slots">Concurrent requests it takes.</param>
/// <param name="InFlight">Requests it is serving now.</param>
/// <param name="LastUsed">When a request last ended (or it became ready).</param>
/// <param name="Uses">Requests served since it was loaded (for frequency-aware eviction).</param>
/// <param name="LoadCost">What loading it cost (measured, else estimated).</param>
/// <param name="Pinned">Never evicted.</param>
public sealed record ReplicaSnapshot(
    string Model,
    int Replica,
    ReplicaState State,
    DeviceKind Device,
    long MemoryBytes,
    int Slots,
    int InFlight,
    DateTimeOffset LastUsed,
    long Uses,
    TimeSpan LoadCost,
    bool Pinned)
{
    /// <summary>The ledger account its memory is charged to ("cpu", "gpu0", ...); null when not known.</summary>
    public string? Account { get; init; }

    /// <summary>The cluster node it runs on; null for a replica of this machine (or before its job is known).</summary>
    public string? Node { get; init; }

    /// <summary>How the engine running it names it (<c>slurm job 42 on n1</c>); null when none does.</summary>
    public string? Locator { get; init; }

    /// <summary>When it became ready (its turn began, for <c>rotation</c>); <see cref="DateTimeOffset.MinValue"/> when not known or not ready yet.</summary>
    public DateTimeOffset ReadyAt { get; init; } = DateTimeOffset.MinValue;

    /// <summary>The most urgent class waiting for its model when its load began; null when none waited (an admin load, <c>replicas.min</c>).</summary>
    public PriorityClass? LoadedFor { get; init; }

    /// <summary>The most urgent class among the requests it serves now; null when idle or not counted.</summary>
    public PriorityClass? MostUrgentInFlight { get; init; }

    /// <summary>True when its engine lets a more urgent request take a less urgent one's slot (the model's <c>preempt</c>).</summary>
    public bool Preempts { get; init; }

    /// <summary>Requests it serves now by priority class (index: the class's number); empty when not counted (a replica that does not preempt).</summary>
    public IReadOnlyList<int> InFlightByClass { get; init; } = [];

    /// <summary>True when eviction may take it: ready, idle and not pinned.</summary>
    public bool Evictable => State == ReplicaState.Ready && InFlight == 0 && !Pinned;

    /// <summary>Slots free for a new request.</summary>
    public int FreeSlots => State == ReplicaState.Ready ? Math.Max(0, Slots - InFlight) : 0;
}
