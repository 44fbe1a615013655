using Yardmaster.Core.Models;
using Yardmaster.PolicySim.Traces;

namespace Yardmaster.PolicySim.Eviction;

/// <summary>
/// Replays model requests against one device of fixed memory: a request for a model not resident loads
/// it, first asking the policy (<see cref="IEvictionPolicy.Choose"/>) which replicas to unload when the
/// model does not fit. Every replica is Ready; those still running a request (from its arrival, after
/// the load when it missed, for <c>exec_time_seconds</c>) are in flight and cannot be evicted.
/// <see cref="IEvictionPolicy.OnUse"/> is called for every request served, after any eviction.
/// Memory only: slots and queueing on a replica are not modelled.
/// </summary>
internal static class EvictionSimulation
{
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
            var needed = model.Bytes - (budget - used);
            if (needed > 0)
            {
                var snapshots = resident.Values.Select(r => r.Snapshot(now)).ToList();
                var decision = policy.Choose(new EvictionRequest(snapshots, needed, now));
                if (!decision.Fits)
                {
                    refused++;
                    continue;
                }

                foreach (var victim in decision.Victims)
                {
                    resident.Remove(victim.Model);
                    used -= victim.MemoryBytes;
                    evictions++;
                }
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
