namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// Dot-product, the paper's Tetris-style baseline as we read it: the node whose free CPU and GPU (each as a share of the
/// largest node's) align most with the task's request (the largest dot product); a shared task goes on the tightest
/// GPU that holds it. Ties go to the lowest node index.
/// </summary>
internal sealed class GpuDotProductPlacement : IGpuPlacementPolicy
{
    public string Name => GpuPlacementPolicies.DotProduct;

    public GpuPlacement Choose(in GpuTask task, GpuCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var cpuScale = (double)Math.Max(1, cluster.MaxCpuMillis);
        var gpuScale = (double)Math.Max(1, cluster.MaxGpus * GpuTask.WholeGpu);
        var best = -1;
        var bestScore = double.MinValue;
        for (var n = 0; n < cluster.Count; n++)
        {
            if (!cluster.Fits(n, task))
            {
                continue;
            }

            var score = (task.CpuMillis / cpuScale * (cluster.CpuFree(n) / cpuScale))
                + (task.GpuDemandMilli / gpuScale * (GpuSlots.Sum(cluster.GpuFree(n)) / gpuScale));
            if (score > bestScore)
            {
                best = n;
                bestScore = score;
            }
        }

        return best < 0 ? GpuPlacement.None : new GpuPlacement(best, GpuSlots.Tightest(cluster.GpuFree(best), task));
    }
}
