namespace Yardmaster.PolicySim.Reporting;

/// <summary>Nearest-rank percentiles over a sorted sample.</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="p"/>-th percentile (0-100) of <paramref name="sorted"/>, or NaN when it is empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
