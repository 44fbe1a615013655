namespace Yardmaster.Core.Configuration;

/// <summary>
/// A task's result cache (<c>cache: { ttl: 10m, max_entries: 10000, max_bytes: 64MiB }</c>): complete answers to
/// deterministic requests (<c>temperature: 0</c> or a <c>seed</c>) kept and replayed for identical requests.
/// </summary>
public sealed record ResultCacheSettings
{
    /// <summary>How long an answer is kept after it was stored. Default 10 minutes; positive.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most answers kept at once. Default 10,000; at least 1.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Most bytes of answers kept at once (each entry counts at least <c>max_bytes / max_entries</c>). Default 64 MiB; at least 1 KiB.</summary>
    public long MaxBytes { get; init; } = 64L << 20;
}
