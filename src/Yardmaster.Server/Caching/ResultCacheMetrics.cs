using System.Diagnostics.Metrics;

namespace Yardmaster.Server.Caching;

/// <summary>The result caches' instruments, read at each scrape: lookups by outcome, entries and bytes held, evictions, per task.</summary>
internal static class ResultCacheMetrics
{
    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public static void Register(Meter meter, ResultCache cache)
    {
        meter.CreateObservableCounter("yard_cache_hits", () => Per(cache, c => c.Hits), description: "Requests answered from a task's result cache.");
        meter.CreateObservableCounter("yard_cache_misses", () => Per(cache, c => c.Misses), description: "Cacheable requests not found in a task's result cache.");
        meter.CreateObservableCounter("yard_cache_bypasses", () => Per(cache, c => c.Bypasses), description: "Requests of a task with a cache that did not use it (not deterministic, or Cache-Control: no-cache).");
        meter.CreateObservableCounter("yard_cache_evictions", () => Per(cache, c => c.Evictions), description: "Answers removed from a task's result cache for room.");
        meter.CreateObservableGauge("yard_cache_entries", () => Per(cache, c => c.Entries), description: "Answers held in a task's result cache.");
        meter.CreateObservableGauge("yard_cache_bytes", () => Per(cache, c => c.Bytes), "By", "Bytes of the answers held in a task's result cache.");
    }

    private static IEnumerable<Measurement<long>> Per(ResultCache cache, Func<CacheCounts, long> value) =>
        cache.Snapshot().Select(t => new Measurement<long>(value(t.Counts), new KeyValuePair<string, object?>("task", t.Task)));
}
