using System.Numerics;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>One node in a placement snapshot: its capacity and what is free now (GPUs as a mask of free device indexes, up to 64).</summary>
public struct NodeResources
{
    /// <summary>A node with everything free.</summary>
    public NodeResources(long cpuMillis, long memoryBytes, int gpus)
    {
        CpuCapacity = CpuFree = cpuMillis;
        MemoryCapacity = MemoryFree = memoryBytes;
        GpuFree = gpus >= 64 ? ulong.MaxValue : (1UL << gpus) - 1;
    }

    /// <summary>The engine whose steps may be placed here, as the caller numbers engines (0 for this machine's); see <see cref="ReadyStep.Engine"/>.</summary>
    public int Engine { get; init; }

    /// <summary>Millicores in all.</summary>
    public long CpuCapacity { get; init; }

    /// <summary>Bytes in all.</summary>
    public long MemoryCapacity { get; init; }

    /// <summary>Millicores not reserved.</summary>
    public long CpuFree { get; set; }

    /// <summary>Bytes not reserved.</summary>
    public long MemoryFree { get; set; }

    /// <summary>
    /// The part of <see cref="MemoryFree"/> held back for serving (<c>pool.serving_reserve</c> less what models use): preemptible
    /// steps may borrow it, others may not. Never more than <see cref="MemoryFree"/> once a step takes memory.
    /// </summary>
    public long ServingReserve { get; set; }

    /// <summary>Bit i set when GPU i is free.</summary>
    public ulong GpuFree { get; set; }

    /// <summary>True when <paramref name="request"/> fits in what is free.</summary>
    public readonly bool Fits(in ResourceRequest request) =>
        request.CpuMillis <= CpuFree && request.MemoryBytes <= MemoryFree && (request.Gpus == 0 || request.Gpus <= BitOperations.PopCount(GpuFree));

    /// <summary>Takes <paramref name="request"/> (which must fit); returns the mask of the GPUs taken, lowest indexes first.</summary>
    public ulong Take(in ResourceRequest request)
    {
        CpuFree -= request.CpuMillis;
        MemoryFree -= request.MemoryBytes;
        ServingReserve = Math.Min(ServingReserve, Math.Max(0, MemoryFree)); // a step that may borrow takes what is not reserved first
        var taken = 0UL;
        var free = GpuFree;
        for (var i = 0; i < request.Gpus; i++)
        {
            var lowest = free & (~free + 1);
            taken |= lowest;
            free &= ~lowest;
        }

        GpuFree = free;
        return taken;
    }

    /// <summary>Gives back what <see cref="Take"/> took.</summary>
    public void Give(in ResourceRequest request, ulong gpus)
    {
        CpuFree += request.CpuMillis;
        MemoryFree += request.MemoryBytes;
        GpuFree |= gpus;
    }
}
