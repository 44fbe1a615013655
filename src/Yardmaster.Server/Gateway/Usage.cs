using System.Numerics;
using Yardmaster.Core.History;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary>A minute's usage sample for the history: per node CPU, memory and GPUs allocated (to steps and models), per device the models' memory.</summary>
internal static class Usage
{
    public static IReadOnlyList<UsageSample> Sample(long minute, ResourceLedger ledger, ServingScheduler scheduler)
    {
        var samples = new List<UsageSample>();
        var free = ledger.Snapshot();
        for (var i = 0; i < ledger.Nodes.Count && i < free.Length; i++)
        {
            var node = ledger.Nodes[i];
            samples.Add(new UsageSample(minute, node.Name, "cpu_millis", node.CpuMillis, node.CpuMillis - free[i].CpuFree));
            samples.Add(new UsageSample(minute, node.Name, "memory_bytes", node.MemoryBytes, node.MemoryBytes - free[i].MemoryFree - ledger.ClaimedMemory(i))); // a claim is memory held back, not yet anyone's
            samples.Add(new UsageSample(minute, node.Name, "gpus", node.Gpus, node.Gpus - BitOperations.PopCount(free[i].GpuFree)));
        }

        foreach (var device in scheduler.Snapshot().Devices)
        {
            samples.Add(new UsageSample(minute, device.Device, "model_memory_bytes", device.Budget, device.Used));
        }

        return samples;
    }
}
