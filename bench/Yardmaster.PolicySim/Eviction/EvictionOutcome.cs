namespace Yardmaster.PolicySim.Eviction;

/// <summary>What one eviction policy cost at one memory budget.</summary>
/// <param name="Requests">Requests replayed.</param>
/// <param name="Hits">Requests whose model was resident.</param>
/// <param name="Loads">Model loads (one per miss that fit).</param>
/// <param name="LoadTime">Total load time spent.</param>
/// <param name="BytesLoaded">Total bytes loaded.</param>
/// <param name="Evictions">Replicas evicted.</param>
/// <param name="Refused">Misses the policy could not make room for (everything resident was busy).</param>
internal sealed record EvictionOutcome(int Requests, int Hits, int Loads, TimeSpan LoadTime, long BytesLoaded, int Evictions, int Refused);
