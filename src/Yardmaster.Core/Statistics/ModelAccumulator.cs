namespace Yardmaster.Core.Statistics;

/// <summary>The running totals behind one <see cref="ModelStatistics"/>. Not thread-safe.</summary>
internal sealed class ModelAccumulator(int reservoirCapacity)
{
    private RequestAccumulator _requests = new(reservoirCapacity);
    private LatencyRecorder _loadTime = new(reservoirCapacity);
    private long _loads;
    private long _evictions;
    private long? _memoryBytes;

    public void Add(RequestRecord record) => _requests.Add(record);

    public void AddLoad(TimeSpan loadTime, long memoryBytes)
    {
        _loadTime.Add(loadTime);
        _loads++;
        _memoryBytes = memoryBytes;
    }

    public void AddEviction() => _evictions++;

    /// <summary>An independent copy, to summarize outside the collector's lock.</summary>
    public ModelAccumulator Clone()
    {
        var copy = (ModelAccumulator)MemberwiseClone();
        copy._requests = _requests.Clone();
        copy._loadTime = _loadTime.Clone();
        return copy;
    }

    public ModelStatistics ToStatistics() => new(_requests.ToStatistics(), _loads, _evictions, _loadTime.Summarize(), _memoryBytes);
}
