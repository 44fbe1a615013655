namespace Yardmaster.Core.Configuration;

/// <summary>The values of <c>jobs.slurm.placement</c>.</summary>
public static class SlurmPlacements
{
    /// <summary>Slurm queues the steps and picks their nodes (as a native <c>sbatch</c> user's jobs).</summary>
    public const string Slurm = "slurm";

    /// <summary>Yardmaster's ledger picks the node and holds a step back until it has room.</summary>
    public const string Yardmaster = "yardmaster";

    /// <summary>Every value accepted.</summary>
    public static IReadOnlyList<string> All { get; } = [Slurm, Yardmaster];
}
