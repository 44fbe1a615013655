namespace Yardmaster.Core.Configuration;

/// <summary><c>history:</c> what the store keeps of past requests, models and nodes, and for how long.</summary>
public sealed record HistorySettings
{
    /// <summary><c>history.enabled</c>: record per-minute rollups and the request log (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>history.retention</c>: rows older than this are pruned in the background (default 30 days).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary><c>history.minute_rows</c>: per-minute rollups older than this are merged into hourly ones (default 1 day).</summary>
    public TimeSpan MinuteRows { get; init; } = TimeSpan.FromDays(1);

    /// <summary><c>history.requests.sample</c>: the share of requests written to the request log, in [0, 1] (default 1).</summary>
    public double RequestSample { get; init; } = 1.0;

    /// <summary>
    /// <c>history.requests.max_per_second</c>: at most this many requests a second go to the request log (over a
    /// one-second burst), so a busy gateway logs a sample and pays a bounded cost; 0 for no limit (default 100).
    /// </summary>
    public double RequestMaxPerSecond { get; init; } = 100;

    /// <summary><c>history.requests.max_rows</c>: the request log keeps at most this many rows, the oldest pruned first (default 1,000,000, about 150 MB).</summary>
    public long RequestMaxRows { get; init; } = 1_000_000;
}
