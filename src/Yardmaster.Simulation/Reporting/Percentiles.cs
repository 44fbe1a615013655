using Yardmaster.Core.History;

namespace Yardmaster.Simulation.Reporting;

/// <summary>The 50th, 95th and 99th percentiles of a set of durations, in milliseconds.</summary>
public sealed record Percentiles(double P50, double P95, double P99)
{
    /// <summary>The percentiles of <paramref name="histogram"/> (within one bucket, about 19%, of the exact values); null when it is empty.</summary>
    public static Percentiles? Of(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return histogram.Count == 0 ? null : new(histogram.Percentile(50), histogram.Percentile(95), histogram.Percentile(99));
    }
}
