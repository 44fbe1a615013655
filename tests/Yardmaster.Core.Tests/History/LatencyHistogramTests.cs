using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.History;

public sealed class LatencyHistogramTests
{
    private static readonly Arbitrary<double[]> _durations =
        Gen.ArrayOf(Gen.Choose(0, 2_000_000).Select(x => x / 100.0)).Where(a => a.Length > 0).ToArbitrary();

    [Fact]
    public void Percentile_AnyDurations_WithinOneBucketOfTheExactNearestRankAndNeverAboveMax()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(_durations, durations =>
        {
            var histogram = new LatencyHistogram();
            foreach (var d in durations)
            {
                histogram.Add(d);
            }

            var sorted = durations.Order().ToArray();
            foreach (var p in new[] { 50.0, 95, 99, 100 })
            {
                var exact = LatencySummary.NearestRank(sorted, p);
                var estimate = histogram.Percentile(p);
                // Four buckets per doubling: an estimate in the right bucket is within 2^(1/4) of the exact value (or 0.5 ms of it below the first bound).
                Assert.True(estimate <= sorted[^1] + 1e-9, $"p{p} {estimate} above the max {sorted[^1]}");
                Assert.True(estimate <= (exact * 1.19) + 0.5 && estimate >= (exact / 1.19) - 0.5, $"p{p}: estimate {estimate}, exact {exact}");
            }
        }));
    }

    [Fact]
    public void Summarize_KnownDurations_ExactCountMeanStdDevMax()
    {
        var histogram = new LatencyHistogram();
        foreach (var d in new[] { 100.0, 200, 300 })
        {
            histogram.Add(d);
        }

        var summary = histogram.Summarize();
        Assert.Equal((3, 200.0, 300.0), (summary.Count, summary.Mean, summary.Max));
        Assert.Equal(Math.Sqrt(20000.0 / 3), summary.StdDev, 6);
        Assert.Equal(LatencySummary.Empty, new LatencyHistogram().Summarize());
    }

    [Fact]
    public void Merge_TwoHalves_SameAsOneHistogramOfAll()
    {
        var (a, b, all) = (new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram());
        for (var i = 1; i <= 1000; i++)
        {
            (i % 2 == 0 ? a : b).Add(i * 1.7);
            all.Add(i * 1.7);
        }

        a.Merge(b);
        Assert.Equal(all.Encode(), a.Encode());
        Assert.Equal(all.Summarize(), a.Summarize());
    }

    [Fact]
    public void EncodeDecode_AnyHistogram_RoundTrips()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(_durations, durations =>
        {
            var histogram = new LatencyHistogram();
            foreach (var d in durations)
            {
                histogram.Add(d);
            }

            var decoded = LatencyHistogram.Decode(histogram.Encode(), out var error);
            Assert.Null(error);
            Assert.Equal(histogram.Encode(), decoded!.Encode());
            Assert.Equal(histogram.Summarize(), decoded.Summarize());
        }));
    }

    [Theory]
    [InlineData("", "expected 'count;sum;sumsq;max;buckets'")]
    [InlineData("2;1;1;1;0:1", "the buckets hold 1 durations but the count says 2")]
    [InlineData("1;1;1;1;500:1", "bucket '500:1' is not 'index:count'")]
    [InlineData("1;x;1;1;0:1", "expected 'count;sum;sumsq;max;buckets'")]
    public void Decode_Damaged_NullWithTheReason(string text, string expected)
    {
        Assert.Null(LatencyHistogram.Decode(text, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Add_NotADuration_Throws(double milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyHistogram().Add(milliseconds));
}
