namespace Yardmaster.Core.Models;

/// <summary>The question put to an eviction policy: free at least <see cref="BytesNeeded"/> more bytes on one device.</summary>
/// <param name="Replicas">Every replica on the device, whatever its state (policies take only <see cref="ReplicaSnapshot.Evictable"/> ones).</param>
/// <param name="BytesNeeded">Bytes to free beyond what is free now; positive.</param>
/// <param name="Now">The clock.</param>
public sealed record EvictionRequest(IReadOnlyList<ReplicaSnapshot> Replicas, long BytesNeeded, DateTimeOffset Now);
