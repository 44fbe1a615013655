using Yardmaster.Core.Models;

namespace Yardmaster.Core.Serving;

/// <summary>What the load step knows: the model's footprint, the devices of its kind, and every replica on them.</summary>
/// <param name="Need">Bytes a new replica needs (measured, else estimated).</param>
/// <param name="EstimateError">Why no footprint could be estimated (no load starts while set); null when fine.</param>
/// <param name="Devices">The accounts of the model's device kind, in the order to try them.</param>
/// <param name="Replicas">Every replica whose <see cref="ReplicaSnapshot.Account"/> is one of <paramref name="Devices"/> (others are ignored).</param>
/// <param name="DeviceWords">The kind in words for "no ... device is configured" ("cpu", "gpu").</param>
public sealed record LoadInput(long Need, string? EstimateError, IReadOnlyList<DeviceFree> Devices, IReadOnlyList<ReplicaSnapshot> Replicas, string DeviceWords)
{
    /// <summary>The model to load: its own replicas are never evicted to load another of it (that frees nothing it gains). Null when not known.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The most urgent class waiting for the load; null when none waits. With it, the load may drain busy replicas serving only
    /// less urgent requests (<see cref="LoadPlan.Drains"/>), and it cannot take memory from a replica loaded for a more urgent
    /// class within its turn (no ping-pong).
    /// </summary>
    public PriorityClass? Priority { get; init; }
}
