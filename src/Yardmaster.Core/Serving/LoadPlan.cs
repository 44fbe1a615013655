using Yardmaster.Core.Models;

namespace Yardmaster.Core.Serving;

/// <summary>The load step's answer: the device a new replica goes on and the replicas to unload first; or why it cannot start.</summary>
/// <param name="Device">The account to charge; null when no load starts.</param>
/// <param name="Victims">Replicas to evict before the load, in order (empty when it fits as is).</param>
/// <param name="Refusal">Why no load starts (e.g. "cpu: need 96 MiB more, evictable replicas hold 40 MiB"); null when one does.</param>
public sealed record LoadPlan(string? Device, IReadOnlyList<ReplicaSnapshot> Victims, string? Refusal)
{
    /// <summary>
    /// When no load starts only because pipeline steps hold the memory: the bytes models need free on the host, beyond what replicas hold
    /// (the need less what idle replicas would free), for the serving scheduler to claim from the steps; 0 otherwise.
    /// </summary>
    public long Reclaim { get; init; }

    /// <summary>
    /// When no load starts because busy replicas hold the memory, and every request they serve is less urgent than those waiting:
    /// the replicas to drain (no new requests; unloaded once their requests end), whose memory with what idle replicas free
    /// covers the need. Empty otherwise.
    /// </summary>
    public IReadOnlyList<ReplicaSnapshot> Drains { get; init; } = [];

    /// <summary>True when a load starts.</summary>
    public bool Starts => Device is not null;

    /// <summary>No load, for <paramref name="reason"/>.</summary>
    public static LoadPlan Refuse(string reason) => new(null, [], reason);
}
