namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// The nodes of a GPU-sharing cluster and what is free on each: CPU, memory and each GPU's free thousandths. Tasks are
/// placed and never leave (the arrival-only experiment); <see cref="Reset"/> empties it. Each node has a version that
/// changes whenever it does, so policies can cache per node. Not thread-safe.
/// </summary>
public sealed class GpuCluster
{
    /// <summary>The most GPUs a node may have.</summary>
    public const int MaxGpusPerNode = 8;

    private readonly GpuNodeSpec[] _specs;
    private readonly long[] _cpuFree;
    private readonly long[] _memoryFree;
    private readonly int[] _gpuFree;
    private readonly int[] _maxShare;
    private readonly int[] _wholeFree;
    private readonly long[] _version;
    private long _stamp;

    /// <summary>A cluster of <paramref name="nodes"/>, everything free.</summary>
    /// <exception cref="ArgumentException">A node with more than <see cref="MaxGpusPerNode"/> GPUs or a model outside 0..63.</exception>
    public GpuCluster(IReadOnlyList<GpuNodeSpec> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _specs = [.. nodes];
        foreach (var spec in _specs)
        {
            if (spec.Gpus is < 0 or > MaxGpusPerNode || spec.Model is < 0 or > 63)
            {
                throw new ArgumentException($"a node has {spec.Gpus} GPUs of model {spec.Model}; 0..{MaxGpusPerNode} GPUs of a model 0..63 are modelled", nameof(nodes));
            }

            GpuCapacityMilli += (long)spec.Gpus * GpuTask.WholeGpu;
            MaxCpuMillis = Math.Max(MaxCpuMillis, spec.CpuMillis);
            MaxGpus = Math.Max(MaxGpus, spec.Gpus);
        }

        _cpuFree = new long[_specs.Length];
        _memoryFree = new long[_specs.Length];
        _gpuFree = new int[_specs.Length * MaxGpusPerNode];
        _maxShare = new int[_specs.Length];
        _wholeFree = new int[_specs.Length];
        _version = new long[_specs.Length];
        Reset();
    }

    /// <summary>Nodes.</summary>
    public int Count => _specs.Length;

    /// <summary>Thousandths of a GPU in all.</summary>
    public long GpuCapacityMilli { get; }

    /// <summary>Thousandths of a GPU taken by the tasks placed.</summary>
    public long GpuAllocatedMilli { get; private set; }

    /// <summary>The most millicores of any node (best-fit and dot-product normalise by it).</summary>
    public long MaxCpuMillis { get; }

    /// <summary>The most GPUs of any node.</summary>
    public int MaxGpus { get; }

    /// <summary>Node <paramref name="node"/>'s capacity.</summary>
    public GpuNodeSpec Spec(int node) => _specs[node];

    /// <summary>Millicores free on <paramref name="node"/>.</summary>
    public long CpuFree(int node) => _cpuFree[node];

    /// <summary>MiB free on <paramref name="node"/>.</summary>
    public long MemoryFree(int node) => _memoryFree[node];

    /// <summary>Free thousandths of each GPU of <paramref name="node"/>, by GPU index.</summary>
    public ReadOnlySpan<int> GpuFree(int node) => _gpuFree.AsSpan(node * MaxGpusPerNode, _specs[node].Gpus);

    /// <summary>A number that changes whenever <paramref name="node"/> does (and on <see cref="Reset"/>); never repeats in this cluster.</summary>
    public long Version(int node) => _version[node];

    /// <summary>True when <paramref name="task"/> fits on <paramref name="node"/> now: CPU, memory, GPU model and GPUs.</summary>
    public bool Fits(int node, in GpuTask task)
    {
        if (task.CpuMillis > _cpuFree[node] || task.MemoryMib > _memoryFree[node])
        {
            return false;
        }

        if (task.GpuCount == 0)
        {
            return true;
        }

        return task.Allows(_specs[node].Model) && (task.IsShared ? _maxShare[node] >= task.GpuMilli : _wholeFree[node] >= task.GpuCount);
    }

    /// <summary>Takes what <paramref name="task"/> asks on the node and GPUs of <paramref name="placement"/>.</summary>
    /// <exception cref="ArgumentException">The task does not fit there (a policy's bug).</exception>
    public void Place(in GpuTask task, GpuPlacement placement)
    {
        var node = placement.Node;
        var gpus = _gpuFree.AsSpan(node * MaxGpusPerNode, _specs[node].Gpus);
        if (!Fits(node, task) || System.Numerics.BitOperations.PopCount(placement.Gpus) != task.GpuCount || (placement.Gpus >> gpus.Length) != 0)
        {
            throw new ArgumentException($"the task {task} does not fit on node {node} GPUs {placement.Gpus:x}", nameof(placement));
        }

        for (var g = 0; g < gpus.Length; g++)
        {
            if ((placement.Gpus & (1UL << g)) != 0)
            {
                if (gpus[g] < task.GpuMilli)
                {
                    throw new ArgumentException($"GPU {g} of node {node} has {gpus[g]} thousandths free, the task asks {task.GpuMilli}", nameof(placement));
                }

                gpus[g] -= task.GpuMilli;
            }
        }

        _cpuFree[node] -= task.CpuMillis;
        _memoryFree[node] -= task.MemoryMib;
        GpuAllocatedMilli += task.GpuDemandMilli;
        Summarise(node);
    }

    /// <summary>Frees everything.</summary>
    public void Reset()
    {
        GpuAllocatedMilli = 0;
        for (var n = 0; n < _specs.Length; n++)
        {
            _cpuFree[n] = _specs[n].CpuMillis;
            _memoryFree[n] = _specs[n].MemoryMib;
            _gpuFree.AsSpan(n * MaxGpusPerNode, _specs[n].Gpus).Fill(GpuTask.WholeGpu);
            Summarise(n);
        }
    }

    private void Summarise(int node)
    {
        var max = 0;
        var whole = 0;
        foreach (var f in GpuFree(node))
        {
            max = Math.Max(max, f);
            whole += f >= GpuTask.WholeGpu ? 1 : 0;
        }

        _maxShare[node] = max;
        _wholeFree[node] = whole;
        _version[node] = ++_stamp;
    }
}
