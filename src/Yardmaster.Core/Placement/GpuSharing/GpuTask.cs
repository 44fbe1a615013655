namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// What one task (a pod of the Alibaba GPU trace) asks of a node: CPU, memory and GPUs. A task asks for no GPU
/// (<see cref="GpuCount"/> 0), for a share of one GPU (count 1, <see cref="GpuMilli"/> 1..999, the GPU may be shared
/// with others), or for whole GPUs (count ≥ 1, milli 1000). Equal tasks are the same task type.
/// </summary>
/// <param name="CpuMillis">Millicores.</param>
/// <param name="MemoryMib">Memory in MiB.</param>
/// <param name="GpuCount">GPUs asked for (0 for none).</param>
/// <param name="GpuMilli">Thousandths of each GPU: 0 with no GPU, 1..999 for a share of one, 1000 for whole GPUs.</param>
/// <param name="Models">The GPU models it may run on, as a mask of <see cref="GpuNodeSpec.Model"/> bits; 0 for any.</param>
public readonly record struct GpuTask(long CpuMillis, long MemoryMib, int GpuCount, int GpuMilli, ulong Models = 0)
{
    /// <summary>Thousandths of a GPU in one whole GPU.</summary>
    public const int WholeGpu = 1000;

    /// <summary>True when it asks for a share of one GPU.</summary>
    public bool IsShared => GpuCount == 1 && GpuMilli is > 0 and < WholeGpu;

    /// <summary>Its GPU demand in thousandths of a GPU.</summary>
    public long GpuDemandMilli => (long)GpuCount * GpuMilli;

    /// <summary>True when it may run on a GPU of <paramref name="model"/>.</summary>
    public bool Allows(int model) => Models == 0 || (Models & (1UL << model)) != 0;

    /// <summary>Null when the shape is valid; else what is wrong with it.</summary>
    public string? Problem() => (GpuCount, GpuMilli) switch
    {
        _ when CpuMillis < 0 || MemoryMib < 0 => "CPU and memory must not be negative",
        (0, 0) => null,
        (0, _) => "a GPU share needs a GPU count of 1",
        ( < 0, _) => "the GPU count must not be negative",
        (_, WholeGpu) => null,
        (1, > 0 and < WholeGpu) => null,
        (1, _) => "the GPU share must be between 1 and 1000 thousandths",
        _ => "a task asking for several GPUs must take them whole (1000 thousandths each)",
    };
}
