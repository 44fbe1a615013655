using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Admission;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(0.5, 3)]
    public void TryTake_FullBucket_AdmitsBurstThenRefuses(double perSecond, int burst)
    {
        var bucket = new TokenBucket(perSecond, burst);
        for (var i = 0; i < burst; i++)
        {
            Assert.True(bucket.TryTake(_t0, out var zero));
            Assert.Equal(TimeSpan.Zero, zero);
        }

        Assert.False(bucket.TryTake(_t0, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1 / perSecond), retryAfter);
    }

    [Theory]
    [InlineData(2, 500, 0)]          // half a second refills one token at 2/s
    [InlineData(2, 499, 10_000)]     // a millisecond short: retry in exactly that millisecond
    [InlineData(3, 0, 3_333_334)]    // a third of a second, rounded up to the tick that succeeds
    [InlineData(3, 333, 3_334)]
    [InlineData(0.1, 4_000, 60_000_000)]
    public void TryTake_Empty_RetryAfterIsExact(double perSecond, int elapsedMs, long expectedTicks)
    {
        var bucket = new TokenBucket(perSecond, 1);
        Assert.True(bucket.TryTake(_t0, out _));

        var now = _t0.AddMilliseconds(elapsedMs);
        var admitted = bucket.TryTake(now, out var retryAfter);

        Assert.Equal(expectedTicks == 0, admitted);
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), retryAfter);
        if (!admitted)
        {
            Assert.False(bucket.TryTake(now + retryAfter - TimeSpan.FromTicks(1), out _));
            Assert.True(bucket.TryTake(now + retryAfter, out _));
        }
    }

    [Fact]
    public void TryTake_LongIdle_RefillsNoMoreThanBurst()
    {
        var bucket = new TokenBucket(10, 3);
        Assert.True(bucket.TryTake(_t0, out _));
        var later = _t0.AddDays(400);
        Assert.Equal(3, bucket.Available(later));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.TryTake(later, out _));
        }

        Assert.False(bucket.TryTake(later, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(100), retryAfter);
    }

    [Fact]
    public void TryTake_ClockGoesBack_RefillsNothing()
    {
        var bucket = new TokenBucket(1, 1);
        Assert.True(bucket.TryTake(_t0.AddSeconds(10), out _));
        Assert.False(bucket.TryTake(_t0, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.True(bucket.TryTake(_t0.AddSeconds(11), out _));
    }

    [Fact]
    public void TryTake_SteadyRate_AdmitsRateTimesDurationPlusBurst()
    {
        var bucket = new TokenBucket(new RateLimit(5, 2));
        var admitted = 0;
        for (var ms = 0; ms < 10_000; ms += 10)
        {
            admitted += bucket.TryTake(_t0.AddMilliseconds(ms), out _) ? 1 : 0;
        }

        Assert.Equal(2 + 50 - 1, admitted); // the last refill lands at 10 s, just past the window
    }

    [Fact]
    public void TryTake_AnyArrivals_AdmitsAtMostBurstPlusRateTimesElapsedAndRetryAfterIsEnough()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), gaps =>
        {
            var rate = 1 + ((gaps.Length > 0 ? gaps[0] & int.MaxValue : 0) % 7);
            var burst = 1 + (gaps.Length % 4);
            var bucket = new TokenBucket(rate, burst);
            var now = _t0;
            var admitted = 0;
            foreach (var gap in gaps)
            {
                now = now.AddMilliseconds((gap & int.MaxValue) % 700);
                if (bucket.TryTake(now, out var retryAfter))
                {
                    admitted++;
                }
                else
                {
                    Assert.InRange(retryAfter, TimeSpan.FromTicks(1), TimeSpan.FromTicks((long)Math.Ceiling(TimeSpan.TicksPerSecond / (double)rate)));
                    now += retryAfter;
                    Assert.True(bucket.TryTake(now, out _));
                    admitted++;
                }

                Assert.True(admitted <= burst + ((now - _t0).TotalSeconds * rate) + 1e-9, $"{admitted} admitted by {now - _t0} at {rate}/s, burst {burst}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(double.PositiveInfinity, 1)]
    [InlineData(1, 0)]
    public void Constructor_InvalidRateOrBurst_Throws(double perSecond, int burst) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(perSecond, burst));
}
