using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Slurm;

/// <summary>A node of the Slurm cluster as <c>scontrol show nodes</c> reports it.</summary>
/// <param name="Capacity">Its capacity for the ledger: CPUs ×1000 millicores, <c>RealMemory</c> (MiB) in bytes, GPUs from <c>Gres</c>; <see cref="NodeCapacity.Engine"/> is <see cref="Engines.Slurm"/>.</param>
/// <param name="State">Slurm's state as printed: <c>IDLE</c>, <c>MIXED</c>, <c>ALLOCATED</c>, <c>DOWN*</c>, <c>IDLE+DRAIN</c>, ...</param>
/// <param name="Partitions">The partitions it belongs to.</param>
public sealed record SlurmNode(NodeCapacity Capacity, string State, IReadOnlyList<string> Partitions)
{
    private static readonly string[] UnavailableFlags = ["DRAIN", "FAIL", "NOT_RESPONDING", "MAINT", "POWER", "REBOOT", "RESERVED", "INVAL", "FUTURE", "UNKNOWN"];

    /// <summary>
    /// True when Slurm would start jobs on it now: idle, mixed, allocated or completing, responding (no <c>*</c>), and
    /// neither drained, failing, in maintenance nor powered down.
    /// </summary>
    public bool Available
    {
        get
        {
            if (State.EndsWith('*'))
            {
                return false;
            }

            var parts = State.Split('+');
            return parts[0] is "IDLE" or "MIXED" or "ALLOCATED" or "COMPLETING" or "PLANNED"
                && !parts.Skip(1).Any(flag => UnavailableFlags.Any(u => flag.StartsWith(u, StringComparison.Ordinal)));
        }
    }
}
