namespace Yardmaster.Core.Statistics;

/// <summary>
/// Collects durations in bounded memory: count, mean, standard deviation and maximum exactly over every sample
/// (Welford's online algorithm), percentiles over the last <see cref="Capacity"/> samples (a ring).
/// </summary>
/// <remarks>Not thread-safe; <see cref="StatisticsCollector"/> guards its recorders with its lock.</remarks>
public sealed class LatencyRecorder
{
    /// <summary>The default <see cref="Capacity"/>: the last 10,000 samples.</summary>
    public const int DefaultCapacity = 10_000;

    private double[] _ring;
    private int _next;
    private int _held;
    private double _mean;
    private double _m2;
    private double _max;

    /// <summary>Creates a recorder keeping the last <paramref name="capacity"/> samples for percentiles.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public LatencyRecorder(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _ring = new double[Math.Min(capacity, 16)];
    }

    /// <summary>How many recent samples the percentiles are taken over.</summary>
    public int Capacity { get; }

    /// <summary>Samples added since creation.</summary>
    public long Count { get; private set; }

    /// <summary>Samples held for percentiles: <c>min(Count, Capacity)</c>.</summary>
    public int Held => _held;

    /// <summary>Exact mean of every sample, in milliseconds; 0 when none.</summary>
    public double MeanMilliseconds => _mean;

    /// <summary>Adds one duration.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sample"/> is negative.</exception>
    public void Add(TimeSpan sample)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sample, TimeSpan.Zero);
        var ms = sample.TotalMilliseconds;
        Count++;
        var delta = ms - _mean;
        _mean += delta / Count;
        _m2 += delta * (ms - _mean);
        _max = Count == 1 ? ms : Math.Max(_max, ms);

        if (_held < Capacity)
        {
            if (_held == _ring.Length)
            {
                Array.Resize(ref _ring, (int)Math.Min(Capacity, _ring.Length * 2L));
            }

            _ring[_held++] = ms;
            _next = _held % Capacity;
            return;
        }

        _ring[_next] = ms;
        _next = (_next + 1) % Capacity;
    }

    /// <summary>The summary now: exact moments and maximum, nearest-rank percentiles of the held samples.</summary>
    public LatencySummary Summarize()
    {
        var sorted = _ring.AsSpan(0, _held).ToArray();
        Array.Sort(sorted);
        return LatencySummary.FromSorted(sorted, Count, _mean, Count == 0 ? 0 : Math.Sqrt(_m2 / Count), _max);
    }

    /// <summary>An independent copy, so a summary can be computed outside the owner's lock.</summary>
    internal LatencyRecorder Clone()
    {
        var copy = (LatencyRecorder)MemberwiseClone();
        copy._ring = _ring.AsSpan(0, _held).ToArray();
        return copy;
    }
}
