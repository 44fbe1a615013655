namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>Random-fit, the paper's baseline: a node where the task fits, uniformly at random (seeded), and for a shared task a random GPU that holds it.</summary>
internal sealed class GpuRandomPlacement(int seed) : IGpuPlacementPolicy
{
    private readonly Random _random = new(seed);

    public string Name => GpuPlacementPolicies.Random;

    public GpuPlacement Choose(in GpuTask task, GpuCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var chosen = -1;
        var seen = 0;
        for (var n = 0; n < cluster.Count; n++)
        {
            if (cluster.Fits(n, task) && _random.Next(++seen) == 0)
            {
                chosen = n; // reservoir sampling: each fitting node kept with probability 1/seen
            }
        }

        if (chosen < 0)
        {
            return GpuPlacement.None;
        }

        var free = cluster.GpuFree(chosen);
        if (!task.IsShared)
        {
            return new GpuPlacement(chosen, task.GpuCount == 0 ? 0 : GpuSlots.LowestWhole(free, task.GpuCount));
        }

        var gpu = -1;
        seen = 0;
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] >= task.GpuMilli && _random.Next(++seen) == 0)
            {
                gpu = g;
            }
        }

        return new GpuPlacement(chosen, 1UL << gpu);
    }
}
