using System.Diagnostics.Metrics;
using System.Numerics;
using Yardmaster.Runtime.Ledger;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The resource ledger's gauges, read at each scrape: each node's capacity and what is allocated of it (by steps'
/// reservations and models' memory), per resource, in base units (CPU cores, memory bytes, GPUs).
/// </summary>
internal static class LedgerMetrics
{
    /// <summary>Creates the gauges over <paramref name="ledger"/>.</summary>
    public static void Register(Meter meter, ResourceLedger ledger)
    {
        meter.CreateObservableGauge("yard_node_capacity", () => Capacity(ledger),
            description: "Each node's capacity by resource: cpu_cores, memory_bytes, gpus.");
        meter.CreateObservableGauge("yard_node_allocated", () => Allocated(ledger),
            description: "What is allocated of each node by resource (cpu_cores, memory_bytes, gpus): steps' reservations and models' memory.");
    }

    private static IEnumerable<Measurement<double>> Capacity(ResourceLedger ledger) =>
        ledger.Nodes.SelectMany(n => Resources(n.Name, n.CpuMillis / 1000.0, n.MemoryBytes, n.Gpus));

    private static IEnumerable<Measurement<double>> Allocated(ResourceLedger ledger)
    {
        var free = ledger.Snapshot();
        for (var i = 0; i < free.Length; i++)
        {
            var node = ledger.Nodes[i];
            var gpusFree = BitOperations.PopCount(free[i].GpuFree & (node.Gpus >= 64 ? ulong.MaxValue : (1UL << node.Gpus) - 1));
            foreach (var m in Resources(node.Name, (node.CpuMillis - free[i].CpuFree) / 1000.0, node.MemoryBytes - free[i].MemoryFree - ledger.ClaimedMemory(i), node.Gpus - gpusFree))
            {
                yield return m;
            }
        }
    }

    private static IEnumerable<Measurement<double>> Resources(string node, double cores, long memory, int gpus)
    {
        yield return new(cores, new("node", node), new("resource", "cpu_cores"));
        yield return new(memory, new("node", node), new("resource", "memory_bytes"));
        yield return new(gpus, new("node", node), new("resource", "gpus"));
    }
}
