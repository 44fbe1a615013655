namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// The fragmentation measure of FGD (Weng et al., ATC 2023, §4), in thousandths of a GPU. For one task m and node n, the
/// free GPU capacity m cannot use: all of it when m cannot run on n (too little CPU or memory, not enough GPUs that
/// hold its demand, another GPU model, or m asks for no GPU), else the GPUs whose free capacity is below m's per-GPU
/// demand. A node's expected fragmentation weighs that over the target workload's task types by popularity. Pure.
/// </summary>
public static class GpuFragmentation
{
    /// <summary>F_n(m): the free thousandths of the node (model, free CPU, memory, GPUs) that <paramref name="task"/> cannot use.</summary>
    public static long ForTask(in GpuTask task, int model, long cpuFree, long memoryFree, ReadOnlySpan<int> gpuFree)
    {
        var total = GpuSlots.Sum(gpuFree);
        var runs = task.GpuCount > 0 && task.Allows(model) && task.CpuMillis <= cpuFree && task.MemoryMib <= memoryFree
            && GpuSlots.Fit(gpuFree, task.GpuCount, task.GpuMilli);
        return runs ? GpuSlots.SumBelow(gpuFree, task.GpuMilli) : total;
    }

    /// <summary>F_n(M) = Σ_m p_m F_n(m) over <paramref name="workload"/>'s types: the node's expected fragmentation.</summary>
    public static double Expected(GpuWorkload workload, int model, long cpuFree, long memoryFree, ReadOnlySpan<int> gpuFree)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var total = GpuSlots.Sum(gpuFree);
        if (total == 0)
        {
            return 0;
        }

        // Every type contributes `total` unless it runs here; the ones that run contribute their GPUs below demand instead.
        double usable = 0;
        foreach (var group in workload.Groups)
        {
            if (group.GpuCount == 0 || (group.Models != 0 && (group.Models & (1UL << model)) == 0) || !GpuSlots.Fit(gpuFree, group.GpuCount, group.GpuMilli))
            {
                continue;
            }

            var fitting = 0.0;
            for (var i = 0; i < group.Cpu.Length && group.Cpu[i] <= cpuFree; i++)
            {
                if (group.Memory[i] <= memoryFree)
                {
                    fitting += group.Popularity[i];
                }
            }

            usable += fitting * (total - GpuSlots.SumBelow(gpuFree, group.GpuMilli));
        }

        return (workload.Mass * total) - usable;
    }

    /// <summary>Node <paramref name="node"/>'s expected fragmentation as it is now.</summary>
    public static double Expected(GpuWorkload workload, GpuCluster cluster, int node)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return Expected(workload, cluster.Spec(node).Model, cluster.CpuFree(node), cluster.MemoryFree(node), cluster.GpuFree(node));
    }
}
