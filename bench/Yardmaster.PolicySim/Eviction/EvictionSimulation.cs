using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;
using Yardmaster.PolicySim.Traces;

namespace Yardmaster.PolicySim.Eviction;

/// <summary>
/// Replays model requests against one device of fixed memory: a request for a model not resident loads
/// it through the server's own load step (<see cref="ServingPass.Load"/>, which asks the policy which replicas to
/// unload when the model does not fit). Every replica is Ready; those still running a request (from its arrival, after
/// the load when it missed, for <c>exec_time_seconds</c>) are in flight and cannot be evicted.
/// <see cref="IEvictionPolicy.OnUse"/> is called for every request served, after any eviction.
/// Memory only: slots and queueing on a replica are not modelled.
/// </summary>
internal static class EvictionSimulation
{
    /// <summary>The one device's account name.</summary>
    public const string Device = "gpu0";

    public static EvictionOutcome Run(IEvictionPolicy policy, IReadOnlyList<LoraRequest> requests, IReadOnlyDictionary<string, SimModel> models, long budget)
    {
        var resident = new SortedDictionary<string, Resident>(StringComparer.Ordinal);
        long used = 0;
        int hits = 0, loads = 0, evictions = 0, refused = 0;
        var loadTime = TimeSpan.Zero;
        long bytesLoaded = 0;
        foreach (var request in requests)
        {
            var now = request.At;
            if (resident.TryGetValue(request.Model, out var replica))
            {
                hits++;
                replica.Use(now + request.Exec);
                policy.OnUse(request.Model, now);
                continue;
            }

            var model = models[request.Model];
            // The server's own load step (ServingPass.Load), on one device: where it fits, or what to evict first.
            var snapshots = resident.Values.Select(r => r.Snapshot(now)).ToList();
            var plan = ServingPass.Load(new LoadInput(model.Bytes, null, [new DeviceFree(Device, budget, budget - used)], snapshots, "gpu"), _ => policy, now);
            if (!plan.Starts)
            {
                refused++;
                continue;
            }

            foreach (var victim in plan.Victims)
            {
                resident.Remove(victim.Model);
                used -= victim.MemoryBytes;
                evictions++;
            }

            replica = new Resident(model, now);
            replica.Use(now + model.LoadTime + request.Exec);
            resident.Add(model.Name, replica);
            used += model.Bytes;
            loads++;
            loadTime += model.LoadTime;
            bytesLoaded += model.Bytes;
            policy.OnUse(request.Model, now);
        }

        return new EvictionOutcome(requests.Count, hits, loads, loadTime, bytesLoaded, evictions, refused);
    }
}
