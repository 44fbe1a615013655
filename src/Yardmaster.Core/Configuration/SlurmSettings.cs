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

    /// <summary><c>poll</c>: how often running jobs are checked. Default 1 s.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);
}
