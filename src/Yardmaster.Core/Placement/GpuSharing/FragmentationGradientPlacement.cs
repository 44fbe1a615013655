namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// Fragmentation Gradient Descent (Weng et al., ATC 2023): among the nodes and GPUs where the task fits, the placement
/// that increases the node's expected fragmentation (<c>GpuFragmentation.Expected</c>) least. On a node, a shared task
/// tries each GPU that holds it (the least increase wins, the lowest GPU on ties); whole GPUs are the lowest wholly free
/// ones (any choice leaves the node the same). Across nodes, as the paper's Kubernetes plugin scores them, each node
/// gets the whole score ⌊100·σ(−Δ/1000)⌋ of its increase Δ (thousandths of a GPU) and one of the highest-scored nodes is
/// taken at random (seeded), as kube-scheduler breaks ties; with <c>exact</c>, the least Δ itself wins, the lowest node
/// index on ties. Each node's gradient per task type is cached until the node changes.
/// </summary>
internal sealed class FragmentationGradientPlacement(GpuWorkload workload, int seed, bool exact = false) : IGpuPlacementPolicy
{
    private readonly Dictionary<GpuTask, Gradient[]> _gradients = [];
    private readonly Random _random = new(seed);
    private GpuCluster? _cluster;
    private double[] _fragmentation = [];
    private long[] _fragmentationVersion = [];

    public string Name => exact ? GpuPlacementPolicies.FgdExact : GpuPlacementPolicies.Fgd;

    public GpuPlacement Choose(in GpuTask task, GpuCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Bind(cluster);
        if (!_gradients.TryGetValue(task, out var gradients))
        {
            gradients = new Gradient[cluster.Count];
            _gradients[task] = gradients;
        }

        var best = -1;
        var bestCost = double.MaxValue;
        var ties = 0;
        for (var n = 0; n < cluster.Count; n++)
        {
            if (!cluster.Fits(n, task))
            {
                continue;
            }

            ref var g = ref gradients[n];
            if (g.Version != cluster.Version(n))
            {
                g = Compute(task, cluster, n);
            }

            if (g.Cost < bestCost)
            {
                best = n;
                bestCost = g.Cost;
                ties = 1;
            }
            else if (!exact && g.Cost == bestCost && _random.Next(++ties) == 0)
            {
                best = n; // reservoir sampling: each of the equally scored nodes kept with probability 1/ties
            }
        }

        return best < 0 ? GpuPlacement.None : new GpuPlacement(best, gradients[best].Gpus);
    }

    private Gradient Compute(in GpuTask task, GpuCluster cluster, int n)
    {
        var model = cluster.Spec(n).Model;
        var cpu = cluster.CpuFree(n) - task.CpuMillis;
        var memory = cluster.MemoryFree(n) - task.MemoryMib;
        var free = cluster.GpuFree(n);
        Span<int> after = stackalloc int[free.Length];
        free.CopyTo(after);
        var before = Fragmentation(cluster, n);
        if (!task.IsShared)
        {
            var whole = task.GpuCount == 0 ? 0 : GpuSlots.LowestWhole(free, task.GpuCount);
            for (var g = 0; g < after.Length; g++)
            {
                after[g] -= (whole & (1UL << g)) != 0 ? GpuTask.WholeGpu : 0;
            }

            return Score(cluster.Version(n), GpuFragmentation.Expected(workload, model, cpu, memory, after) - before, whole);
        }

        var bestGpu = -1;
        var bestAfter = double.MaxValue;
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] < task.GpuMilli || free[..g].Contains(free[g]))
            {
                continue; // GPUs with the same free capacity leave the node in the same state
            }

            after[g] -= task.GpuMilli;
            var f = GpuFragmentation.Expected(workload, model, cpu, memory, after);
            after[g] += task.GpuMilli;
            if (f < bestAfter)
            {
                bestGpu = g;
                bestAfter = f;
            }
        }

        return Score(cluster.Version(n), bestAfter - before, 1UL << bestGpu);
    }

    /// <summary>What the node costs (lower is better): Δ itself when exact, else minus the plugin's whole score (ties are meant).</summary>
    private Gradient Score(long version, double delta, ulong gpus) =>
        new(version, exact ? delta : -Math.Floor(100 / (1 + Math.Exp(delta / 1000))), gpus);

    private double Fragmentation(GpuCluster cluster, int n)
    {
        if (_fragmentationVersion[n] != cluster.Version(n))
        {
            _fragmentation[n] = GpuFragmentation.Expected(workload, cluster, n);
            _fragmentationVersion[n] = cluster.Version(n);
        }

        return _fragmentation[n];
    }

    private void Bind(GpuCluster cluster)
    {
        if (!ReferenceEquals(cluster, _cluster))
        {
            _cluster = cluster;
            _gradients.Clear();
            _fragmentation = new double[cluster.Count];
            _fragmentationVersion = new long[cluster.Count];
        }
    }

    /// <summary>The cost of a node (from the change of its expected fragmentation) if the task went there, on the GPUs given, valid while the node has that version.</summary>
    private readonly record struct Gradient(long Version, double Cost, ulong Gpus);
}
