namespace Yardmaster.Core.Models;

/// <summary>
/// Chooses which replicas to unload so another fits; chosen by <see cref="Name"/> in <c>scheduler.eviction</c>.
/// Never picks a replica that is not <see cref="ReplicaSnapshot.Evictable"/>. A policy instance serves one
/// device and may keep state between calls (e.g. GDSF's inflation value); not thread-safe.
/// </summary>
public interface IEvictionPolicy
{
    /// <summary>The name used in configuration.</summary>
    string Name { get; }

    /// <summary>Picks victims, or refuses with the reason.</summary>
    EvictionDecision Choose(EvictionRequest request);

    /// <summary>Tells the policy a request used <paramref name="model"/> (for frequency and recency).</summary>
    void OnUse(string model, DateTimeOffset now);
}
