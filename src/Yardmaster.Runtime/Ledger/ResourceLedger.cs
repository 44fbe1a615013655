using Yardmaster.Core.Placement;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Ledger;

/// <summary>
/// The one account of what is allocated on each node, shared by pipeline steps and model replicas: steps
/// reserve CPU, memory and whole GPUs; the model manager charges model memory on the same node. A reservation
/// never over-allocates; model charges are accounted as they come (a measured footprint may exceed the
/// estimate) and leave less for steps. <see cref="Changed"/> fires (outside the lock) when something is freed.
/// </summary>
/// <remarks>Thread-safe; every method takes one short lock.</remarks>
public sealed class ResourceLedger
{
    private readonly Lock _lock = new();
    private readonly NodeCapacity[] _nodes;
    private readonly NodeResources[] _free;
    private readonly long[] _modelMemory;
    private readonly Dictionary<(int Node, int Position), long> _modelGpuMemory = [];
    private readonly ulong[] _modelGpus;
    private readonly List<LedgerAllocation> _allocations = [];
    private readonly long[] _servingReserve;
    private readonly List<ServingClaim> _claims = [];

    /// <summary>A ledger of <paramref name="nodes"/>, everything free.</summary>
    public ResourceLedger(IReadOnlyList<NodeCapacity> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            throw new ArgumentException("A ledger needs at least one node.", nameof(nodes));
        }

        _nodes = [.. nodes];
        _free = [.. nodes.Select(n => new NodeResources(n.CpuMillis, n.MemoryBytes, n.Gpus) { Engine = Engines.Index(n.Engine) })];
        _modelMemory = new long[nodes.Count];
        _modelGpus = new ulong[nodes.Count];
        _servingReserve = new long[nodes.Count];
    }

    /// <summary>Raised after resources are released or model memory is refunded; handlers must be quick and must not call back in synchronously.</summary>
    public event Action? Changed;

    /// <summary>
    /// Raised after a step's reservation was taken (<see cref="TryReserve"/>, <see cref="Hold"/>), outside the lock: what follows
    /// the cores steps hold (the builtin engine's background threads) listens to it and to <see cref="Changed"/>. Apart from
    /// <see cref="Changed"/>, which wakes the job scheduler, so that taking resources does not.
    /// </summary>
    public event Action? Reserved;

    /// <summary>The nodes, in index order.</summary>
    public IReadOnlyList<NodeCapacity> Nodes => _nodes;

    /// <summary>True while the serving scheduler claims memory (<see cref="Claim"/>); read without the lock, as a hint.</summary>
    public bool HasClaims => Volatile.Read(ref _claimCount) > 0;

    private int _claimCount;

    /// <summary>
    /// A copy of what each node has free for steps now: model memory and serving's claims taken off, and
    /// <see cref="NodeResources.ServingReserve"/> the part of it only preemptible steps may borrow.
    /// </summary>
    public NodeResources[] Snapshot()
    {
        lock (_lock)
        {
            var copy = (NodeResources[])_free.Clone();
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i].MemoryFree = Math.Max(0, StepMemoryFree(i, borrows: true));
                copy[i].ServingReserve = Math.Min(copy[i].MemoryFree, UnusedReserve(i));
                copy[i].GpuFree &= ~_modelGpus[i];
            }

            return copy;
        }
    }

    /// <summary>
    /// Sets serving's headroom on node <paramref name="node"/> (<c>pool.serving_reserve</c>): memory steps that may not be preempted
    /// cannot take while models do not use it; preemptible steps may borrow it and are stopped when serving claims it back.
    /// </summary>
    public void ReserveForServing(int node, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            _servingReserve[node] = bytes;
        }
    }

    /// <summary>Bytes serving claims back from steps on node <paramref name="node"/> (not allocated to anyone yet: steps may not take them).</summary>
    public long ClaimedMemory(int node)
    {
        lock (_lock)
        {
            return Claimed(node);
        }
    }

    /// <summary>Serving's headroom on node <paramref name="node"/>, bytes.</summary>
    public long ServingReserve(int node)
    {
        lock (_lock)
        {
            return _servingReserve[node];
        }
    }

    /// <summary>
    /// Claims memory for models (<see cref="ServingClaim"/>), replacing <paramref name="claim"/>'s owner's earlier claim: steps cannot
    /// take it, and the job scheduler, woken by <see cref="Changed"/>, stops preemptible steps of less urgent classes until it is free.
    /// </summary>
    public void Claim(ServingClaim claim)
    {
        lock (_lock)
        {
            var i = _claims.FindIndex(c => c.Owner == claim.Owner);
            if (i >= 0 && _claims[i] == claim)
            {
                return;
            }

            if (i >= 0)
            {
                _claims[i] = claim;
            }
            else
            {
                _claims.Add(claim);
            }

            Volatile.Write(ref _claimCount, _claims.Count);
        }

        Changed?.Invoke();
    }

    /// <summary>Drops <paramref name="owner"/>'s claim (its model loaded, or nothing waits for it any more); false when it had none.</summary>
    public bool Unclaim(string owner)
    {
        lock (_lock)
        {
            if (_claims.RemoveAll(c => c.Owner == owner) == 0)
            {
                return false;
            }

            Volatile.Write(ref _claimCount, _claims.Count);
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>The claims standing now (a copy), with each node's memory between steps and models, for <see cref="SchedulingPass.Reclaim"/>.</summary>
    public (IReadOnlyList<ServingClaim> Claims, IReadOnlyList<ServingMemory> Nodes) Claims()
    {
        lock (_lock)
        {
            var nodes = new ServingMemory[_nodes.Length];
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = new ServingMemory(_free[i].MemoryFree, _modelMemory[i], _servingReserve[i]);
            }

            return ([.. _claims], nodes);
        }
    }

    /// <summary>Memory of node <paramref name="node"/> a step may reserve: what steps and models do not hold, less serving's claims, and less the unused reserve unless it <paramref name="borrows"/>. Caller holds the lock.</summary>
    private long StepMemoryFree(int node, bool borrows) =>
        _free[node].MemoryFree - _modelMemory[node] - Claimed(node) - (borrows ? 0 : UnusedReserve(node));

    /// <summary>The part of serving's reserve models and claims do not use. Caller holds the lock.</summary>
    private long UnusedReserve(int node) => Math.Max(0, _servingReserve[node] - _modelMemory[node] - Claimed(node));

    /// <summary>Bytes serving claims on node <paramref name="node"/>. Caller holds the lock.</summary>
    private long Claimed(int node)
    {
        var claimed = 0L;
        foreach (var c in _claims)
        {
            claimed += c.Node == node ? c.Bytes : 0;
        }

        return claimed;
    }

    /// <summary>The reservations held now, each with its owner (a copy); model memory is not listed (the serving scheduler's snapshot says which replica holds what).</summary>
    public IReadOnlyList<LedgerAllocation> Allocations()
    {
        lock (_lock)
        {
            return [.. _allocations];
        }
    }

    /// <summary>Model memory charged on node <paramref name="node"/>, bytes.</summary>
    public long ModelMemory(int node)
    {
        lock (_lock)
        {
            return _modelMemory[node];
        }
    }

    /// <summary>
    /// Reserves <paramref name="request"/> with exactly the GPUs of <paramref name="gpus"/> on node <paramref name="node"/>
    /// for <paramref name="owner"/> (listed by <see cref="Allocations"/> when given); false (nothing taken) when it no longer fits.
    /// Only a <paramref name="preemptible"/> step may borrow serving's unused reserve.
    /// </summary>
    public bool TryReserve(int node, ResourceRequest request, ulong gpus, string? owner = null, bool preemptible = false)
    {
        lock (_lock)
        {
            var free = _free[node];
            if (request.CpuMillis > free.CpuFree || request.MemoryBytes > StepMemoryFree(node, preemptible) || (free.GpuFree & ~_modelGpus[node] & gpus) != gpus)
            {
                return false;
            }

            free.CpuFree -= request.CpuMillis;
            free.MemoryFree -= request.MemoryBytes;
            free.GpuFree &= ~gpus;
            _free[node] = free;
            if (owner is not null)
            {
                _allocations.Add(new LedgerAllocation(node, owner, request, gpus));
            }
        }

        Reserved?.Invoke();
        return true;
    }

    /// <summary>
    /// Takes note of <paramref name="request"/> held on node <paramref name="node"/> by <paramref name="owner"/> because an
    /// engine that places work itself (Slurm) put it there, or because a recovered attempt still runs there: counted even
    /// when it over-allocates the node (the engine knows what it ran; what is left is then negative and nothing else fits).
    /// Given back with <see cref="Release"/>.
    /// </summary>
    public void Hold(int node, ResourceRequest request, ulong gpus, string owner)
    {
        lock (_lock)
        {
            var free = _free[node];
            free.CpuFree -= request.CpuMillis;
            free.MemoryFree -= request.MemoryBytes;
            free.GpuFree &= ~gpus;
            _free[node] = free;
            _allocations.Add(new LedgerAllocation(node, owner, request, gpus));
        }

        Reserved?.Invoke();
    }

    /// <summary>Gives back a reservation made by <see cref="TryReserve"/> (with the same owner, if it named one).</summary>
    public void Release(int node, ResourceRequest request, ulong gpus, string? owner = null)
    {
        lock (_lock)
        {
            _free[node].Give(request, gpus);
            if (owner is not null && _allocations.FindIndex(a => a.Node == node && a.Owner == owner) is var i and >= 0)
            {
                _allocations.RemoveAt(i);
            }
        }

        Changed?.Invoke();
    }

    /// <summary>The ledger position (bit) of GPU <paramref name="device"/> of node <paramref name="node"/>; null when the node has no such GPU. Caller holds the lock.</summary>
    private int? Position(int node, int device)
    {
        var indexes = _nodes[node].GpuIndexes;
        for (var position = 0; position < indexes.Count && position < 64; position++)
        {
            if (indexes[position] == device)
            {
                return position;
            }
        }

        return null;
    }

    /// <summary>Charges model memory on a node (the model manager's loads).</summary>
    public void ChargeModelMemory(int node, long bytes)
    {
        lock (_lock)
        {
            _modelMemory[node] += bytes;
        }
    }

    /// <summary>Refunds model memory (unloads).</summary>
    public void RefundModelMemory(int node, long bytes)
    {
        lock (_lock)
        {
            _modelMemory[node] = Math.Max(0, _modelMemory[node] - bytes);
        }

        Changed?.Invoke();
    }

    /// <summary>
    /// Charges model memory on the GPU of node <paramref name="node"/> that <c>nvidia-smi</c> numbers <paramref name="device"/>:
    /// while any is charged, that GPU is not free for steps (a step takes whole devices). A device the node does not list is ignored.
    /// </summary>
    public void ChargeModelGpu(int node, int device, long bytes)
    {
        lock (_lock)
        {
            if (Position(node, device) is not { } position)
            {
                return;
            }

            _modelGpuMemory[(node, position)] = _modelGpuMemory.GetValueOrDefault((node, position)) + bytes;
            _modelGpus[node] |= 1UL << position;
        }
    }

    /// <summary>Refunds model memory on a GPU (unloads); the GPU is free for steps again when none is left on it.</summary>
    public void RefundModelGpu(int node, int device, long bytes)
    {
        lock (_lock)
        {
            if (Position(node, device) is not { } position)
            {
                return;
            }

            var left = Math.Max(0, _modelGpuMemory.GetValueOrDefault((node, position)) - bytes);
            if (left > 0)
            {
                _modelGpuMemory[(node, position)] = left;
            }
            else
            {
                _modelGpuMemory.Remove((node, position));
                _modelGpus[node] &= ~(1UL << position);
            }
        }

        Changed?.Invoke();
    }

    /// <summary>True when a step holds the GPU that <c>nvidia-smi</c> numbers <paramref name="device"/> on node <paramref name="node"/> (then no model may use it).</summary>
    public bool GpuHeldBySteps(int node, int device)
    {
        lock (_lock)
        {
            return Position(node, device) is { } position && (_free[node].GpuFree & (1UL << position)) == 0;
        }
    }

    /// <summary>Model memory charged per GPU of node <paramref name="node"/>, by <c>nvidia-smi</c> index, in index order.</summary>
    public IReadOnlyList<(int Device, long Bytes)> ModelGpuMemory(int node)
    {
        lock (_lock)
        {
            return [.. _modelGpuMemory.Where(e => e.Key.Node == node).Select(e => (_nodes[node].GpuIndexes[e.Key.Position], e.Value)).OrderBy(e => e.Item1)];
        }
    }

    /// <summary>Memory of node <paramref name="node"/> not reserved by steps (models not counted): what models may use.</summary>
    public long MemoryNotReservedBySteps(int node)
    {
        lock (_lock)
        {
            return _free[node].MemoryFree;
        }
    }
}
