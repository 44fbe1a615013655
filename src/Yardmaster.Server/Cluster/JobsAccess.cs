using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Pipelines;

namespace Yardmaster.Server.Cluster;

/// <summary>
/// How the API reaches the job scheduler: this instance's own while it leads (always, on a SQLite store), else the
/// leader's, by forwarding the request (<see cref="LeaderProxy"/>). Pipelines are validated against this instance's
/// view of the nodes either way.
/// </summary>
/// <remarks>Thread-safe: <see cref="Local"/> changes when the lease changes hands.</remarks>
internal sealed class JobsAccess(Func<PipelineEnvironment> followerEnvironment, LeaderProxy? proxy)
{
    private JobScheduler? _local;

    /// <summary>This instance's scheduler while it leads; null while it follows.</summary>
    public JobScheduler? Local
    {
        get => Volatile.Read(ref _local);
        set => Volatile.Write(ref _local, value);
    }

    /// <summary>Forwards to the leader; null on a single-instance store (there is always a local scheduler).</summary>
    public LeaderProxy? Proxy => proxy;

    /// <summary>What pipelines are validated against: the local scheduler's environment, else the one this follower knows.</summary>
    public PipelineEnvironment Environment => Local?.Environment ?? followerEnvironment();
}
