namespace Yardmaster.Core.Statistics;

/// <summary>A distribution of durations, all in milliseconds. Immutable.</summary>
/// <param name="Count">Samples summarized.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="StdDev">Their population standard deviation (divided by <c>Count</c>, not <c>Count − 1</c>); 0 for one sample.</param>
/// <param name="P50">The median, by nearest rank.</param>
/// <param name="P95">The 95th percentile, by nearest rank.</param>
/// <param name="P99">The 99th percentile, by nearest rank.</param>
/// <param name="Max">The largest.</param>
/// <remarks>
/// Nearest rank: the <c>p</c>-th percentile of <c>n</c> sorted samples is the one at rank <c>⌈p/100 × n⌉</c> (from 1),
/// always an observed value, never interpolated. All fields are 0 when <c>Count</c> is 0.
/// </remarks>
public sealed record LatencySummary(long Count, double Mean, double StdDev, double P50, double P95, double P99, double Max)
{
    /// <summary>The summary of no samples: all zero.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>The exact summary of <paramref name="milliseconds"/>.</summary>
    public static LatencySummary FromSamples(IEnumerable<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var sorted = milliseconds.ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        Array.Sort(sorted);
        var mean = sorted.Average();
        var variance = sorted.Sum(x => (x - mean) * (x - mean)) / sorted.Length;
        return FromSorted(sorted, sorted.Length, mean, Math.Sqrt(variance), sorted[^1]);
    }

    /// <summary>The <paramref name="percentile"/> (0–100] of <paramref name="sorted"/> by nearest rank; 0 when empty.</summary>
    public static double NearestRank(ReadOnlySpan<double> sorted, double percentile)
    {
        if (percentile is <= 0 or > 100 || double.IsNaN(percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "must be in (0, 100]");
        }

        if (sorted.IsEmpty)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    /// <summary>Percentiles from <paramref name="sorted"/> (a sample of the population), the moments given exactly.</summary>
    internal static LatencySummary FromSorted(ReadOnlySpan<double> sorted, long count, double mean, double stdDev, double max) =>
        count == 0 ? Empty : new(count, mean, stdDev, NearestRank(sorted, 50), NearestRank(sorted, 95), NearestRank(sorted, 99), max);
}
