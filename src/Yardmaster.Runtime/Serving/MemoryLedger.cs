using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Serving;

/// <summary>
/// The account of model memory per device: "cpu" and "gpu0", "gpu1", ... with their budgets from
/// <c>devices</c>. Charges may exceed a budget only when a measurement after load comes out larger than
/// the estimate; new loads then wait until enough is freed. Guarded by the scheduler's lock.
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

    public long Free(string device)
    {
        var free = Math.Max(0, _accounts[device].Budget - _accounts[device].Used);
        return device == "cpu" && _node is not null ? Math.Min(free, Math.Max(0, _node.MemoryNotReservedBySteps(0) - _accounts[device].Used)) : free;
    }

    public void Charge(string device, long bytes)
    {
        var (budget, used) = _accounts[device];
        _accounts[device] = (budget, used + bytes);
        if (device == "cpu")
        {
            _node?.ChargeModelMemory(0, bytes);
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
    }

    public IReadOnlyList<(string Device, long Budget, long Used)> Snapshot() =>
        [.. _accounts.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value.Budget, a.Value.Used))];
}
