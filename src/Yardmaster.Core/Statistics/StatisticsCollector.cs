namespace Yardmaster.Core.Statistics;

/// <summary>
/// Collects what the gateway and the model manager report, per task and per model, for <c>GET /api/stats</c>.
/// Thread-safe: every member takes one lock; recording is O(1) under it, and <see cref="Snapshot"/> holds it
/// only to copy the totals (sorting for percentiles happens outside).
/// </summary>
/// <remarks>
/// Memory is bounded per task and per model: each duration keeps its last <c>reservoirCapacity</c> samples
/// for percentiles (counts, means, deviations and maxima stay exact over all samples).
/// </remarks>
public sealed class StatisticsCollector : IRequestSink
{
    private readonly Lock _lock = new();
    private readonly int _reservoirCapacity;
    private readonly Dictionary<string, RequestAccumulator> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelAccumulator> _models = new(StringComparer.Ordinal);

    /// <summary>Creates an empty collector.</summary>
    /// <param name="reservoirCapacity">Recent samples kept per duration for percentiles; default <see cref="LatencyRecorder.DefaultCapacity"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reservoirCapacity"/> is not positive.</exception>
    public StatisticsCollector(int reservoirCapacity = LatencyRecorder.DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(reservoirCapacity);
        _reservoirCapacity = reservoirCapacity;
    }

    /// <summary>Counts one finished request under its task and, when one served it, its model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration or token count in it is negative (nothing is counted then).</exception>
    public void Record(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.QueueTime < TimeSpan.Zero || record.TimeToFirstToken < TimeSpan.Zero || record.Latency < TimeSpan.Zero
            || record.PromptTokens < 0 || record.CompletionTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(record), record, "durations and token counts cannot be negative");
        }

        lock (_lock)
        {
            TaskTotals(record.Task).Add(record);
            if (record.Model is { } model)
            {
                ModelTotals(model).Add(record);
            }
        }
    }

    /// <summary>Counts one replica load of <paramref name="model"/> that took <paramref name="loadTime"/> and measured <paramref name="memoryBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time or the memory is negative.</exception>
    public void RecordLoad(string model, TimeSpan loadTime, long memoryBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(loadTime, TimeSpan.Zero);
        lock (_lock)
        {
            ModelTotals(model).AddLoad(loadTime, memoryBytes);
        }
    }

    /// <summary>Counts one replica of <paramref name="model"/> evicted to make room.</summary>
    public void RecordEviction(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_lock)
        {
            ModelTotals(model).AddEviction();
        }
    }

    /// <summary>The statistics now; later recording does not change it.</summary>
    public StatisticsSnapshot Snapshot()
    {
        List<KeyValuePair<string, RequestAccumulator>> tasks;
        List<KeyValuePair<string, ModelAccumulator>> models;
        lock (_lock)
        {
            tasks = [.. _tasks.Select(t => KeyValuePair.Create(t.Key, t.Value.Clone()))];
            models = [.. _models.Select(m => KeyValuePair.Create(m.Key, m.Value.Clone()))];
        }

        return new StatisticsSnapshot(
            tasks.OrderBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.Value.ToStatistics(), StringComparer.Ordinal).AsReadOnly(),
            models.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => m.Value.ToStatistics(), StringComparer.Ordinal).AsReadOnly());
    }

    // Callers hold _lock.
    private RequestAccumulator TaskTotals(string name)
    {
        if (!_tasks.TryGetValue(name, out var accumulator))
        {
            accumulator = new RequestAccumulator(_reservoirCapacity);
            _tasks.Add(name, accumulator);
        }

        return accumulator;
    }

    // Callers hold _lock.
    private ModelAccumulator ModelTotals(string name)
    {
        if (!_models.TryGetValue(name, out var accumulator))
        {
            accumulator = new ModelAccumulator(_reservoirCapacity);
            _models.Add(name, accumulator);
        }

        return accumulator;
    }
}
