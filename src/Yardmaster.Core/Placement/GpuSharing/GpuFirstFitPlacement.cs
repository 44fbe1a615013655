namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>First-fit: the lowest-indexed node where the task fits, on its lowest-indexed GPU(s) that hold it.</summary>
internal sealed class GpuFirstFitPlacement : IGpuPlacementPolicy
{
    public string Name => GpuPlacementPolicies.FirstFit;

    public GpuPlacement Choose(in GpuTask task, GpuCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        for (var n = 0; n < cluster.Count; n++)
        {
            if (cluster.Fits(n, task))
            {
                var free = cluster.GpuFree(n);
                var gpus = task.IsShared ? 1UL << GpuSlots.First(free, task.GpuMilli) : task.GpuCount == 0 ? 0 : GpuSlots.LowestWhole(free, task.GpuCount);
                return new GpuPlacement(n, gpus);
            }
        }

        return GpuPlacement.None;
    }
}
