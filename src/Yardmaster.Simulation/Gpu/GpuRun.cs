using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Gpu;

/// <summary>One run of the experiment: pods arrive one by one and never leave; each is placed by the policy or counted as failed.</summary>
internal static class GpuRun
{
    /// <summary>Places <paramref name="sequence"/> (indexes into <paramref name="pool"/>) on an emptied <paramref name="cluster"/> and reads it at every whole percent of arrived load up to <paramref name="maxPercent"/>.</summary>
    public static GpuCurve Run(GpuCluster cluster, IGpuPlacementPolicy policy, GpuWorkload workload, IReadOnlyList<GpuTask> pool, int[] sequence, int maxPercent, CancellationToken cancellationToken)
    {
        cluster.Reset();
        var capacity = (double)cluster.GpuCapacityMilli;
        var nodeFragmentation = new double[cluster.Count];
        var fragmentation = 0.0;
        for (var n = 0; n < cluster.Count; n++)
        {
            nodeFragmentation[n] = GpuFragmentation.Expected(workload, cluster, n);
            fragmentation += nodeFragmentation[n];
        }

        var curve = new GpuCurve(new double[maxPercent + 1], new double[maxPercent + 1], new double[maxPercent + 1], new int[maxPercent + 1]);
        Read(curve, 0, cluster, fragmentation, 0, 0);
        long arrived = 0;
        long failed = 0;
        var unplaced = 0;
        var next = 1;
        for (var i = 0; i < sequence.Length && next <= maxPercent; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var task = pool[sequence[i]];
            arrived += task.GpuDemandMilli;
            var placement = policy.Choose(task, cluster);
            if (placement.IsPlaced)
            {
                cluster.Place(task, placement);
                var n = placement.Node;
                fragmentation -= nodeFragmentation[n];
                nodeFragmentation[n] = GpuFragmentation.Expected(workload, cluster, n);
                fragmentation += nodeFragmentation[n];
            }
            else
            {
                failed += task.GpuDemandMilli;
                unplaced++;
            }

            for (; next <= maxPercent && arrived * 100 >= next * capacity; next++)
            {
                Read(curve, next, cluster, fragmentation, failed, unplaced);
            }
        }

        return curve;
    }

    private static void Read(GpuCurve curve, int percent, GpuCluster cluster, double fragmentation, long failed, int unplaced)
    {
        var capacity = (double)cluster.GpuCapacityMilli;
        curve.Allocated[percent] = 100 * cluster.GpuAllocatedMilli / capacity;
        curve.Fragmented[percent] = 100 * fragmentation / capacity;
        curve.FailedGpu[percent] = 100 * failed / capacity;
        curve.UnplacedPods[percent] = unplaced;
    }
}
