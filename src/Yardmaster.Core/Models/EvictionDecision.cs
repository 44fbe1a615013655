namespace Yardmaster.Core.Models;

/// <summary>
/// An eviction policy's answer: the victims, in the order to unload them, whose memory together covers
/// what was needed; or, when no set of evictable replicas covers it, no victims and the reason.
/// </summary>
public sealed record EvictionDecision(IReadOnlyList<ReplicaSnapshot> Victims, string? Refusal)
{
    /// <summary>True when the victims free enough.</summary>
    public bool Fits => Refusal is null;

    /// <summary>A refusal with its reason, e.g. "need 96 MiB more, evictable replicas hold 40 MiB (2 busy, 1 pinned)".</summary>
    public static EvictionDecision Refuse(string reason) => new([], reason);
}
