namespace Yardmaster.Core.History;

/// <summary>The store port of the history: per-minute rollups, the request log, model events and usage samples (SQLite or PostgreSQL). Thread-safe.</summary>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>Writes a batch in one transaction: each rollup is added to the stored row of its key (or inserted); the rest is appended.</summary>
    Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken);

    /// <summary>The rollups of the minutes in [<paramref name="since"/>, <paramref name="until"/>).</summary>
    Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Model events in [<paramref name="since"/>, <paramref name="until"/>), oldest first.</summary>
    Task<IReadOnlyList<ModelEventRecord>> ReadEventsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Usage samples of the minutes in [<paramref name="since"/>, <paramref name="until"/>), oldest first.</summary>
    Task<IReadOnlyList<UsageSample>> ReadUsageAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Logged requests that arrived in [<paramref name="since"/>, <paramref name="until"/>), by arrival.</summary>
    IAsyncEnumerable<RequestLogRecord> ReadRequestsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Merges the per-minute rollups older than <paramref name="before"/> into one row per hour (the row of the hour's
    /// first minute), so old history costs a sixtieth of the rows; returns the rows removed. Idempotent.
    /// </summary>
    Task<long> CompactAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Deletes every row older than <paramref name="before"/>, and the oldest logged requests beyond <paramref name="maxRequests"/>; returns the rows deleted.</summary>
    Task<long> PruneAsync(DateTimeOffset before, long maxRequests, CancellationToken cancellationToken);
}
