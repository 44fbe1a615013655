using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Tests.Pipelines;

public sealed class RetryBackoffTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 100)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Delay_RandomPolicies_NeverAboveMaxDelayAndNonDecreasing(int seed)
    {
        var random = new Random(seed);
        var initial = TimeSpan.FromMilliseconds(random.Next(0, 100_000));
        var max = initial + TimeSpan.FromMilliseconds(random.NextInt64(0, 10_000_000));
        var policy = new RetryPolicy(100, (BackoffKind)random.Next(0, 3), initial, max);

        var previous = TimeSpan.Zero;
        for (var retry = 1; retry <= 100; retry++)
        {
            var delay = RetryBackoff.Delay(policy, retry);
            Assert.InRange(delay, previous, max);
            previous = delay;
        }

        Assert.Equal(initial, RetryBackoff.Delay(policy, 1));
    }

    [Theory]
    [InlineData(BackoffKind.Exponential, new[] { 200, 400, 800, 1000, 1000 })]
    [InlineData(BackoffKind.Linear, new[] { 200, 400, 600, 800, 1000 })]
    [InlineData(BackoffKind.Constant, new[] { 200, 200, 200, 200, 200 })]
    public void Delay_EachKind_GrowsAsDocumentedUpToTheCap(BackoffKind kind, int[] expectedMillis)
    {
        var policy = new RetryPolicy(5, kind, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        var delays = Enumerable.Range(1, 5).Select(r => (int)RetryBackoff.Delay(policy, r).TotalMilliseconds);

        Assert.Equal(expectedMillis, delays);
    }
}
