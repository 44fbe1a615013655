namespace Yardmaster.Server.Backends;

/// <summary>Settings of the backends that are not part of a model's definition.</summary>
public sealed class BackendOptions
{
    /// <summary>Where process backends write their output. Default <c>$YARD_HOME/logs</c> (set by the server from its data folder).</summary>
    public string LogDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "yard-logs");

    /// <summary>What <c>yard</c> at the start of a process backend's command runs. Default: this very program.</summary>
    public IReadOnlyList<string> YardCommand { get; set; } = CommandLine.CurrentYard();

    /// <summary>The clusters replicas of <c>backend: slurm</c> and <c>backend: kubernetes</c> models run on, by engine name; empty when none is configured.</summary>
    public IReadOnlyDictionary<string, ClusterEngine> Clusters { get; set; } = new Dictionary<string, ClusterEngine>(StringComparer.Ordinal);

    /// <summary>
    /// The ledger of the server's nodes, in which a cluster replica reserves its job's CPUs, memory and GPUs on its node
    /// (owner <c>MODEL#REPLICA</c>) so steps placed there do not wait behind it in the cluster's queue; null: none kept.
    /// </summary>
    public Runtime.Ledger.ResourceLedger? Ledger { get; set; }

    /// <summary><c>pool.background_threads_follow_steps</c>: builtin replicas' passes of this class or less urgent follow the steps' cores on <see cref="Ledger"/> (see <c>BuiltinReplica</c>); null for none.</summary>
    public Core.PriorityClass? BackgroundThreadsFollowSteps { get; set; }

    /// <summary>This server's id in the records of the cluster replicas it starts (<see cref="ReplicaOwnerLocks"/>); set by the launcher at start, empty before.</summary>
    internal string ReplicaOwner { get; set; } = string.Empty;
}
