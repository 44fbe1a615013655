namespace Yardmaster.Core.Pipelines;

/// <summary>What a step reserves on a node while it runs: CPU in millicores, memory in bytes, whole GPUs.</summary>
/// <param name="CpuMillis">1000 is one core. Default 1000.</param>
/// <param name="MemoryBytes">Reserved and, where the executor can, enforced as a limit; 0 for neither.</param>
/// <param name="Gpus">Whole devices, by count; the ledger picks the indexes.</param>
public readonly record struct ResourceRequest(long CpuMillis, long MemoryBytes, int Gpus)
{
    /// <summary>One core, no memory reservation, no GPU.</summary>
    public static ResourceRequest Default { get; } = new(1000, 0, 0);

    /// <summary>"cpu 500m, memory 256 MiB, gpu 1".</summary>
    public override string ToString() =>
        $"cpu {Units.CpuAmounts.Format(CpuMillis)}, memory {(MemoryBytes == 0 ? "0" : Units.ByteSizes.Format(MemoryBytes))}, gpu {Gpus}";
}
