using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Serving;

/// <summary>
/// The account of model memory per device: "cpu" and "gpu0", "gpu1", ... with their budgets from
/// <c>devices</c>. Charges may exceed a budget only when a measurement after load comes out larger than
/// the estimate; new loads then wait until enough is freed. Every charge is also on the node ledger shared with
/// pipeline steps: host memory as model memory, a GPU as held by models (steps take whole GPUs, so a GPU a model uses is not
/// free for them, and one a step holds is not free for models). Guarded by the scheduler's lock.
/// </summary>
internal sealed class MemoryLedger
{
    private readonly Dictionary<string, (long Budget, long Used)> _accounts = new(StringComparer.Ordinal);

    private readonly Ledger.ResourceLedger? _node;

    /// <param name="devices">The budgets.</param>
    /// <param name="node">The node ledger shared with pipeline steps: host model memory is charged there too, and memory steps hold is not free for models.</param>
    public MemoryLedger(DeviceSettings devices, Ledger.ResourceLedger? node = null)
    {
        _node = node;
        _accounts["cpu"] = (devices.CpuMemory, 0);
        foreach (var gpu in devices.Gpus)
        {
            _accounts["gpu" + gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = (gpu.Memory, 0);
        }
    }

    public IEnumerable<string> Devices(DeviceKind kind) =>
        _accounts.Keys.Where(k => kind == DeviceKind.Cpu ? k == "cpu" : k.StartsWith("gpu", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public long Budget(string device) => _accounts[device].Budget;

    public long Used(string device) => _accounts[device].Used;

    /// <summary>What a new load may take on <paramref name="device"/>: its budget less what models hold, less what steps reserve (host memory), and nothing on a GPU a step holds.</summary>
    public long Free(string device)
    {
        var free = Math.Max(0, _accounts[device].Budget - _accounts[device].Used);
        if (_node is null)
        {
            return free;
        }

        return device == "cpu" ? Math.Min(free, Math.Max(0, _node.MemoryNotReservedBySteps(0) - _accounts[device].Used))
            : _node.GpuHeldBySteps(0, GpuIndex(device)) ? 0 : free;
    }

    /// <summary>Bytes of <paramref name="device"/>'s budget, not used by models, that pipeline steps hold (host memory only; 0 without a node ledger).</summary>
    public long HeldBySteps(string device) =>
        device == "cpu" && _node is not null ? Math.Max(0, Math.Max(0, _accounts[device].Budget - _accounts[device].Used) - Free(device)) : 0;

    /// <summary>Claims <paramref name="bytes"/> of host memory for models from pipeline steps on the node ledger (replacing <paramref name="owner"/>'s earlier claim).</summary>
    public void Claim(string owner, long bytes, Core.PriorityClass priority) => _node?.Claim(new Core.Placement.ServingClaim(0, bytes, priority, owner));

    /// <summary>Drops <paramref name="owner"/>'s claim.</summary>
    public void Unclaim(string owner) => _node?.Unclaim(owner);

    /// <summary>Charges a load; on the node ledger too (host memory, or the GPU, which steps then cannot take).</summary>
    public void Charge(string device, long bytes)
    {
        var (budget, used) = _accounts[device];
        _accounts[device] = (budget, used + bytes);
        if (device == "cpu")
        {
            _node?.ChargeModelMemory(0, bytes);
        }
        else
        {
            _node?.ChargeModelGpu(0, GpuIndex(device), bytes);
        }
    }

    public void Refund(string device, long bytes)
    {
        var (budget, used) = _accounts[device];
        _accounts[device] = (budget, Math.Max(0, used - bytes));
        if (device == "cpu")
        {
            _node?.RefundModelMemory(0, Math.Min(used, bytes));
        }
        else
        {
            _node?.RefundModelGpu(0, GpuIndex(device), Math.Min(used, bytes));
        }
    }

    /// <summary>The <c>nvidia-smi</c> index of account <c>gpuN</c>.</summary>
    private static int GpuIndex(string device) => int.Parse(device.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<(string Device, long Budget, long Used)> Snapshot() =>
        [.. _accounts.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value.Budget, a.Value.Used))];
}
