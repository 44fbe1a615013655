namespace Yardmaster.Core.Configuration;

/// <summary><c>jobs.slurm:</c> how steps with <c>executor: slurm</c> are submitted. Present only when the section is.</summary>
public sealed record SlurmSettings
{
    /// <summary><c>partition</c>: <c>sbatch --partition</c>; null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary><c>account</c>: <c>sbatch --account</c>; null for none.</summary>
    public string? Account { get; init; }

    /// <summary><c>qos</c>: <c>sbatch --qos</c>; null for none.</summary>
    public string? Qos { get; init; }

    /// <summary><c>extra_args</c>: further <c>sbatch</c> arguments, each one argument (no shell).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary><c>bin_dir</c>: where <c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>, <c>sacct</c> and <c>scancel</c> are; null for <c>PATH</c>.</summary>
    public string? BinDir { get; init; }

    /// <summary><c>conf</c>: the cluster's <c>slurm.conf</c> (as <c>SLURM_CONF</c>); null for the commands' default.</summary>
    public string? Conf { get; init; }

    /// <summary>
    /// <c>placement</c>: who decides where and when a step runs. <c>slurm</c> (default): a step is handed to Slurm as
    /// soon as it is ready (up to <see cref="QueueLimit"/> at once, <c>--nice</c> by class), Slurm queues it and picks the
    /// node, and the ledger learns the node when the job starts; <c>yardmaster</c>: the ledger places each step on a node
    /// with room (<c>--nodelist</c>) and holds it back until there is, so Yardmaster's own preemption applies.
    /// </summary>
    public string Placement { get; init; } = SlurmPlacements.Slurm;

    /// <summary><c>queue_limit</c>: with <c>placement: slurm</c>, the most attempts handed to Slurm at once, pending or running. Default 100.</summary>
    public int QueueLimit { get; init; } = 100;

    /// <summary><c>poll</c>: how often running jobs are checked. Default 1 s.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);
}
