namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// Best-fit, as the FGD paper's baseline: the node left with the least free CPU and GPU after placing the task, each
/// as a share of the largest node's (weights ½ and ½); a shared task goes on the tightest GPU that holds it. Ties go
/// to the lowest node index.
/// </summary>
internal sealed class GpuBestFitPlacement : IGpuPlacementPolicy
{
    public string Name => GpuPlacementPolicies.BestFit;

    public GpuPlacement Choose(in GpuTask task, GpuCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var cpuScale = Math.Max(1, cluster.MaxCpuMillis);
        var gpuScale = Math.Max(1, cluster.MaxGpus * GpuTask.WholeGpu);
        var best = -1;
        var bestScore = double.MaxValue;
        for (var n = 0; n < cluster.Count; n++)
        {
            if (!cluster.Fits(n, task))
            {
                continue;
            }

            var score = (0.5 * (cluster.CpuFree(n) - task.CpuMillis) / cpuScale)
                + (0.5 * (GpuSlots.Sum(cluster.GpuFree(n)) - task.GpuDemandMilli) / gpuScale);
            if (score < bestScore)
            {
                best = n;
                bestScore = score;
            }
        }

        return best < 0 ? GpuPlacement.None : new GpuPlacement(best, GpuSlots.Tightest(cluster.GpuFree(best), task));
    }
}
