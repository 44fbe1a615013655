namespace Yardmaster.Core.Configuration;

/// <summary>
/// <c>scheduler.adapt.bounds:</c> the settings <c>adapt</c> may change and their ranges. A setting left out keeps the value
/// yard.yaml gives it.
/// </summary>
public sealed record AdaptBounds
{
    /// <summary><c>queue</c>: the queue policies it may choose between; null to keep the configured one.</summary>
    public IReadOnlyList<string>? Queues { get; init; }

    /// <summary><c>eviction</c>: the eviction policies it may choose between; null to keep the configured one.</summary>
    public IReadOnlyList<string>? Evictions { get; init; }

    /// <summary><c>max_queue: { min, max }</c>; null to keep the configured bound.</summary>
    public (int Min, int Max)? MaxQueue { get; init; }

    /// <summary><c>max_wait: { default: { min, max }, low: ..., batch: ... }</c>: the aging bounds it may move, by <c>default</c>, <c>low</c> or <c>batch</c>.</summary>
    public IReadOnlyDictionary<string, (TimeSpan Min, TimeSpan Max)> MaxWait { get; init; } = new Dictionary<string, (TimeSpan, TimeSpan)>(StringComparer.Ordinal);
}
