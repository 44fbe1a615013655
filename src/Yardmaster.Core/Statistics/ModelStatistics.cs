namespace Yardmaster.Core.Statistics;

/// <summary>One model since the server started: the requests it served and its loads. Immutable.</summary>
/// <param name="Requests">The requests it served (or failed).</param>
/// <param name="Loads">Replicas loaded.</param>
/// <param name="Evictions">Replicas evicted to make room for another model.</param>
/// <param name="LoadTime">Time from load start to ready.</param>
/// <param name="MemoryBytes">The footprint measured at its last load; null when never loaded.</param>
public sealed record ModelStatistics(RequestStatistics Requests, long Loads, long Evictions, LatencySummary LoadTime, long? MemoryBytes);
