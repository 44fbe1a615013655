using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

public sealed class GdsfEvictionPolicyTests : EvictionPolicyContractTests
{
    protected override IEvictionPolicy CreatePolicy() => new GdsfEvictionPolicy();

    private static EvictionRequest Need(long mib, params ReplicaSnapshot[] replicas) => new(replicas, mib << 20, T0);

    [Fact]
    public void Choose_CheapToReload_EvictedBeforeExpensiveEvenIfMoreRecent()
    {
        var policy = new GdsfEvictionPolicy();
        var decision = policy.Choose(Need(100, Replica("slow", 60, 1024, loadSeconds: 10), Replica("fast", 1, 1024, loadSeconds: 1)));
        Assert.Equal(["fast"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_SameLoadCost_LargerEvictedFirst()
    {
        var policy = new GdsfEvictionPolicy();
        var decision = policy.Choose(Need(100, Replica("small", 60, 1024), Replica("large", 1, 2048)));
        Assert.Equal(["large"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_SameCostAndSize_RarelyUsedEvictedBeforeFrequentlyUsed()
    {
        var policy = new GdsfEvictionPolicy();
        for (var i = 0; i < 5; i++)
        {
            policy.OnUse("hot", T0);
        }

        policy.OnUse("warm", T0);
        var decision = policy.Choose(Need(100, Replica("hot", 60, 1024), Replica("warm", 1, 1024)));
        Assert.Equal(["warm"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_Evicts_InflationBecomesVictimPriorityAndLaterUsesOutrankEarlierOnes()
    {
        var policy = new GdsfEvictionPolicy(Timeout.InfiniteTimeSpan);
        policy.OnUse("old", T0.AddMinutes(-30));
        var cold = Replica("cold", 60, 1024, loadSeconds: 0.5);
        Assert.Equal(0.5, policy.Priority(cold, T0), 9);

        policy.Choose(Need(100, cold, Replica("old", 30, 1024)));
        Assert.Equal(0.5, policy.Inflation, 9);

        // Used once each, same cost and size: the one used after the eviction carries the inflation and stays.
        policy.OnUse("fresh", T0);
        var decision = policy.Choose(Need(100, Replica("old", 1, 1024), Replica("fresh", 60, 1024)));
        Assert.Equal(["old"], decision.Victims.Select(v => v.Model));
        Assert.Equal(1.0, policy.Inflation, 9);
    }

    [Fact]
    public void Choose_Refused_InflationUnchanged()
    {
        var policy = new GdsfEvictionPolicy();
        var decision = policy.Choose(Need(100, Replica("busy", 60, 1024, inFlight: 1)));
        Assert.False(decision.Fits);
        Assert.Equal(0, policy.Inflation);
    }

    [Fact]
    public void Choose_OldUsesDecay_PopularYesterdayEvictedBeforeUsedOnceNow()
    {
        var decaying = new GdsfEvictionPolicy(TimeSpan.FromHours(1));
        var counting = new GdsfEvictionPolicy(Timeout.InfiniteTimeSpan);
        foreach (var policy in new[] { decaying, counting })
        {
            for (var i = 0; i < 4; i++)
            {
                policy.OnUse("yesterday", T0.AddHours(-3));
            }

            policy.OnUse("now", T0);
        }

        var replicas = new[] { Replica("yesterday", 1, 1024), Replica("now", 60, 1024) };
        Assert.Equal(0.5, decaying.Priority(replicas[0], T0), 9);
        Assert.Equal(["yesterday"], decaying.Choose(Need(100, replicas)).Victims.Select(v => v.Model));
        Assert.Equal(["now"], counting.Choose(Need(100, replicas)).Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_EqualPriority_LeastRecentlyUsedThenNameThenHighestReplica()
    {
        var replicas = new[]
        {
            Replica("b", 10, 100, replica: 0),
            Replica("a", 10, 100, replica: 0),
            Replica("a", 10, 100, replica: 1),
            Replica("c", 20, 100),
        };
        var decision = new GdsfEvictionPolicy().Choose(Need(400, replicas));
        Assert.Equal(["c/0", "a/1", "a/0", "b/0"], decision.Victims.Select(v => $"{v.Model}/{v.Replica}"));
    }

    [Fact]
    public void Constructor_NonPositiveHalfLife_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GdsfEvictionPolicy(TimeSpan.Zero));
    }
}
