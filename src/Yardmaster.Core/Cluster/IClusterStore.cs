namespace Yardmaster.Core.Cluster;

/// <summary>
/// The port several <c>yard serve</c> instances on one shared store (PostgreSQL) coordinate through: heartbeats, and the
/// one lease that makes an instance the leader, which alone runs the job scheduler. All times are the store's clock, so
/// instances' clocks may differ. Thread-safe.
/// </summary>
public interface IClusterStore : IAsyncDisposable
{
    /// <summary>Records that <paramref name="instanceId"/> is alive at <paramref name="url"/> (now, by the store's clock).</summary>
    Task HeartbeatAsync(string instanceId, string url, CancellationToken cancellationToken);

    /// <summary>Instances whose last heartbeat is within <paramref name="within"/> of now, ordered by id.</summary>
    Task<IReadOnlyList<ClusterInstance>> InstancesAsync(TimeSpan within, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease when nobody holds it or it has expired (the epoch grows by one), or renews it when
    /// <paramref name="instanceId"/> holds it (same epoch), for <paramref name="lease"/> from now. Returns the lease in
    /// force after the call, whoever holds it (compare <see cref="LeaderLease.HolderId"/>).
    /// </summary>
    Task<LeaderLease> TryLeadAsync(string instanceId, string url, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The lease in force (not expired); null when nobody holds it.</summary>
    Task<LeaderLease?> LeaderAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lease up at once when <paramref name="instanceId"/> still holds it at <paramref name="epoch"/> (a clean shutdown), so another instance need not wait for it to expire.</summary>
    Task ResignAsync(string instanceId, long epoch, CancellationToken cancellationToken);
}
