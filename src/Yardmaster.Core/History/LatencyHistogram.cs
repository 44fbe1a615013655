using System.Globalization;
using System.Text;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>
/// Durations in fixed, log-spaced buckets (four per doubling, from 0.5 ms to about two hours, then one overflow bucket),
/// with their exact count, sum, sum of squares and maximum. Two histograms merge by adding, so the percentiles of any
/// window are computed from per-minute rollups; a percentile is interpolated inside its bucket, so it is within one
/// bucket's width (about 19%) of the exact value, and never above the maximum. Not thread-safe.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Buckets = 97; // 96 bounds and the overflow

    private static readonly double[] _bounds = [.. Enumerable.Range(0, Buckets - 1).Select(i => 0.5 * Math.Pow(2, i / 4.0))];

    private long[] _counts = new long[Buckets];

    /// <summary>The upper bound in milliseconds of each bucket but the last (which has none).</summary>
    public static IReadOnlyList<double> UpperBoundsMs { get; } = Array.AsReadOnly(_bounds);

    /// <summary>Durations added.</summary>
    public long Count { get; private set; }

    /// <summary>Their sum, in milliseconds.</summary>
    public double SumMs { get; private set; }

    /// <summary>The sum of their squares (for the standard deviation).</summary>
    public double SumSquaresMs { get; private set; }

    /// <summary>The largest, in milliseconds (0 when empty).</summary>
    public double MaxMs { get; private set; }

    /// <summary>Adds one duration.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is negative or not a number.</exception>
    public void Add(double milliseconds)
    {
        if (milliseconds < 0 || !double.IsFinite(milliseconds))
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "must be a finite, non-negative number of milliseconds");
        }

        _counts[BucketOf(milliseconds)]++;
        Count++;
        SumMs += milliseconds;
        SumSquaresMs += milliseconds * milliseconds;
        MaxMs = Math.Max(MaxMs, milliseconds);
    }

    /// <summary>Adds every duration of <paramref name="other"/>.</summary>
    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumMs += other.SumMs;
        SumSquaresMs += other.SumSquaresMs;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <summary>An independent copy.</summary>
    public LatencyHistogram Clone()
    {
        var copy = (LatencyHistogram)MemberwiseClone();
        copy._counts = (long[])_counts.Clone();
        return copy;
    }

    /// <summary>
    /// The <paramref name="percentile"/>th percentile in milliseconds: the bucket holding the nearest rank, interpolated
    /// linearly inside it and capped at the maximum; 0 when empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100].</exception>
    public double Percentile(double percentile)
    {
        if (percentile is <= 0 or > 100 || double.IsNaN(percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "must be in (0, 100]");
        }

        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long before = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (before + _counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : _bounds[i - 1];
                var upper = i < Buckets - 1 ? Math.Min(_bounds[i], MaxMs) : MaxMs;
                var value = lower + ((upper - lower) * (rank - before) / _counts[i]);
                return Math.Min(Math.Max(value, Math.Min(lower, MaxMs)), MaxMs);
            }

            before += _counts[i];
        }

        return MaxMs;
    }

    /// <summary>Count, mean, population standard deviation, p50, p95, p99 and maximum, in milliseconds.</summary>
    public LatencySummary Summarize()
    {
        if (Count == 0)
        {
            return LatencySummary.Empty;
        }

        var mean = SumMs / Count;
        var variance = Math.Max(0, (SumSquaresMs / Count) - (mean * mean));
        return new LatencySummary(Count, mean, Math.Sqrt(variance), Percentile(50), Percentile(95), Percentile(99), MaxMs);
    }

    /// <summary>
    /// The compact text the store keeps: <c>count;sum;sumsq;max;bucket:count,...</c> (only non-empty buckets), invariant culture.
    /// </summary>
    public string Encode()
    {
        var text = new StringBuilder(64);
        text.Append(CultureInfo.InvariantCulture, $"{Count};{SumMs:R};{SumSquaresMs:R};{MaxMs:R};");
        var first = true;
        for (var i = 0; i < Buckets; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            text.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture, $"{i}:{_counts[i]}");
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; null when the text is not such a histogram (the reason in <paramref name="error"/>).</summary>
    public static LatencyHistogram? Decode(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';');
        var histogram = new LatencyHistogram();
        if (parts.Length != 5
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var sum)
            || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var squares)
            || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var max))
        {
            error = $"expected 'count;sum;sumsq;max;buckets', got '{Shorten(text)}'";
            return null;
        }

        long total = 0;
        foreach (var bucket in parts[4].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = bucket.Split(':');
            if (pair.Length != 2 || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= Buckets
                || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = $"bucket '{Shorten(bucket)}' is not 'index:count' with an index below {Buckets}";
                return null;
            }

            histogram._counts[index] += n;
            total += n;
        }

        if (total != count)
        {
            error = $"the buckets hold {total} durations but the count says {count}";
            return null;
        }

        (histogram.Count, histogram.SumMs, histogram.SumSquaresMs, histogram.MaxMs) = (count, sum, squares, max);
        error = null;
        return histogram;
    }

    private static int BucketOf(double milliseconds)
    {
        var bounds = _bounds;
        if (milliseconds <= bounds[0])
        {
            return 0;
        }

        // Four buckets per doubling above 0.5 ms; the estimate is checked against the bounds to avoid rounding at the edges.
        var i = Math.Clamp((int)Math.Ceiling(4 * Math.Log2(milliseconds * 2)), 0, Buckets - 1);
        while (i > 0 && milliseconds <= bounds[i - 1])
        {
            i--;
        }

        while (i < Buckets - 1 && milliseconds > bounds[i])
        {
            i++;
        }

        return i;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
