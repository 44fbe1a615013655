namespace Yardmaster.Executors.Slurm;

/// <summary>
/// One job as <c>squeue</c> or <c>sacct</c> reports it. <see cref="State"/> is the base state in capitals
/// (<c>RUNNING</c>, <c>COMPLETED</c>, <c>OUT_OF_MEMORY</c>, ...; "CANCELLED by 0" becomes <c>CANCELLED</c>).
/// </summary>
/// <param name="JobId">The job id, as Slurm prints it.</param>
/// <param name="State">The base state.</param>
/// <param name="ExitCode">The batch script's exit status; null when it was killed by a signal or has not ended.</param>
/// <param name="Signal">The signal that ended the batch script; null when it exited.</param>
/// <param name="Node">The node it runs or ran on; null before it was placed.</param>
/// <param name="Reason">Slurm's reason (<c>NonZeroExitCode</c>, <c>TimeLimit</c>, <c>Priority</c>); null for none.</param>
internal sealed record SlurmJobState(string JobId, string State, int? ExitCode, int? Signal, string? Node, string? Reason)
{
    private static readonly HashSet<string> Ended =
    [
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
        "REVOKED", "SPECIAL_EXIT",
    ];

    /// <summary>True once the job has ended for good (a <c>COMPLETING</c> job has not: its output may still be written).</summary>
    public bool HasEnded => Ended.Contains(State);

    /// <summary>True while it waits for a node (<c>PENDING</c>, <c>REQUEUED</c>, held): it has no processes to signal yet.</summary>
    public bool IsPending => State is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED";

    /// <summary>The base state of a state column: its first word in capitals ("CANCELLED by 0" is CANCELLED).</summary>
    public static string BaseState(string column)
    {
        var trimmed = column.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
    }

    /// <summary>A node column as a node name: null for empty, <c>None assigned</c> and <c>(null)</c>.</summary>
    public static string? NodeOf(string column)
    {
        var trimmed = column.Trim();
        return trimmed.Length == 0 || trimmed.StartsWith("None", StringComparison.Ordinal) || trimmed == "(null)" ? null : trimmed;
    }

    /// <summary>A reason column: null for empty and <c>None</c>.</summary>
    public static string? ReasonOf(string column)
    {
        var trimmed = column.Trim();
        return trimmed.Length == 0 || trimmed == "None" || trimmed == "(null)" ? null : trimmed;
    }
}
