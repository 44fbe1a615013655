using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.Statistics;

public sealed class LatencySummaryTests
{
    [Theory]
    [InlineData(5, 15)]
    [InlineData(30, 20)]
    [InlineData(40, 20)]
    [InlineData(50, 35)]
    [InlineData(95, 50)]
    [InlineData(100, 50)]
    public void NearestRank_FiveSamples_ObservedValueAtCeilingRank(double percentile, double expected)
    {
        Assert.Equal(expected, LatencySummary.NearestRank([15, 20, 35, 40, 50], percentile));
    }

    [Fact]
    public void FromSamples_OneToHundredShuffled_ExactPercentilesMeanAndMax()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        new Random(5).Shuffle(samples);
        var summary = LatencySummary.FromSamples(samples);
        Assert.Equal(new LatencySummary(100, 50.5, Math.Sqrt(9999 / 12.0), 50, 95, 99, 100), summary with { StdDev = Math.Sqrt(9999 / 12.0) });
        Assert.Equal(Math.Sqrt(9999 / 12.0), summary.StdDev, 9);
    }

    [Fact]
    public void FromSamples_KnownSet_PopulationStandardDeviation()
    {
        var summary = LatencySummary.FromSamples([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5, summary.Mean);
        Assert.Equal(2, summary.StdDev);
    }

    [Fact]
    public void FromSamples_None_AllZero()
    {
        Assert.Equal(LatencySummary.Empty, LatencySummary.FromSamples([]));
        Assert.Equal(0, LatencySummary.NearestRank([], 99));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void NearestRank_PercentileOutsideRange_Throws(double percentile)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.NearestRank([1], percentile));
    }
}
