using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.Statistics;

public sealed class LatencyRecorderTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Summarize_FewerSamplesThanCapacity_SameAsExactSummary()
    {
        var samples = new double[] { 12, 3, 7.5, 100, 42, 42, 0 };
        var recorder = new LatencyRecorder();
        foreach (var s in samples)
        {
            recorder.Add(Ms(s));
        }

        var exact = LatencySummary.FromSamples(samples);
        var summary = recorder.Summarize();
        Assert.Equal(exact with { Mean = 0, StdDev = 0 }, summary with { Mean = 0, StdDev = 0 });
        Assert.Equal(exact.Mean, summary.Mean, 9);
        Assert.Equal(exact.StdDev, summary.StdDev, 9);
    }

    [Fact]
    public void Add_BeyondCapacity_HoldsOnlyTheLastSamplesAndMomentsStayExact()
    {
        var recorder = new LatencyRecorder(capacity: 10);
        for (var i = 1; i <= 100; i++)
        {
            recorder.Add(Ms(i));
        }

        var summary = recorder.Summarize();
        Assert.Equal(10, recorder.Held);
        Assert.Equal(100, summary.Count);
        Assert.Equal(50.5, summary.Mean, 9);
        Assert.Equal(Math.Sqrt(9999 / 12.0), summary.StdDev, 9);
        Assert.Equal(100, summary.Max);
        Assert.Equal(95, summary.P50);
        Assert.Equal(100, summary.P99);
    }

    [Fact]
    public void Summarize_None_Empty()
    {
        Assert.Equal(LatencySummary.Empty, new LatencyRecorder().Summarize());
    }

    [Fact]
    public void Add_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyRecorder().Add(Ms(-1)));
    }

    [Fact]
    public void Summarize_AnySamples_PercentilesOfTheLastCapacityAndExactMoments()
    {
        var arb = Gen.Zip(Gen.ArrayOf(Gen.Choose(0, 100_000)), Gen.Choose(1, 50)).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(arb, t =>
        {
            var (micros, capacity) = t;
            var durations = micros.Select(m => TimeSpan.FromTicks(m * TimeSpan.TicksPerMicrosecond)).ToArray();
            var samples = durations.Select(d => d.TotalMilliseconds).ToArray();
            var recorder = new LatencyRecorder(capacity);
            foreach (var d in durations)
            {
                recorder.Add(d);
            }

            var all = LatencySummary.FromSamples(samples);
            var recent = LatencySummary.FromSamples(samples.TakeLast(capacity));
            var summary = recorder.Summarize();
            Assert.Equal(Math.Min(samples.Length, capacity), recorder.Held);
            Assert.Equal(all.Count, summary.Count);
            Assert.Equal(all.Max, summary.Max);
            Assert.Equal(all.Mean, summary.Mean, tolerance: 1e-6);
            Assert.Equal(all.StdDev, summary.StdDev, tolerance: 1e-6);
            Assert.Equal((recent.P50, recent.P95, recent.P99), (summary.P50, summary.P95, summary.P99));
        }));
    }
}
