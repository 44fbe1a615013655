using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

public sealed class SessionLfuEvictionPolicyTests : EvictionPolicyContractTests
{
    protected override IEvictionPolicy CreatePolicy() => new SessionLfuEvictionPolicy();

    private static EvictionRequest Need(long mib, params ReplicaSnapshot[] replicas) => new(replicas, mib << 20, T0);

    private static void Use(SessionLfuEvictionPolicy policy, string model, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            policy.OnUse(model, T0);
        }
    }

    [Fact]
    public void Choose_BurstOnOneModel_CountsAsOneSessionAndLosesToModelUsedInSeparateSessions()
    {
        // "burst": 20 requests back to back. "steady": 3 requests 101 uses apart (other models in between). Session gap 30:
        // a use 1 tick after the last adds 1 - 2^(-1/30) = 0.023, one 101 ticks after adds 1 - 2^(-101/30) = 0.903.
        var policy = new SessionLfuEvictionPolicy(halfLife: 1e15);
        Use(policy, "burst", 20);
        for (var i = 0; i < 3; i++)
        {
            Use(policy, "other", 100);
            Use(policy, "steady");
        }

        Assert.InRange(policy.Sessions("burst"), 1.43, 1.44);
        Assert.InRange(policy.Sessions("steady"), 2.80, 2.81);
        var decision = policy.Choose(Need(100, Replica("burst", 1, 1024), Replica("steady", 60, 1024)));
        Assert.Equal(["burst"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_SameSessions_LargerPerLoadCostEvictedFirst()
    {
        var policy = new SessionLfuEvictionPolicy();
        Use(policy, "small");
        Use(policy, "large");
        Use(policy, "cheap");
        var decision = policy.Choose(Need(100, Replica("small", 60, 1024, loadSeconds: 30), Replica("large", 1, 2048, loadSeconds: 30)));
        Assert.Equal(["large"], decision.Victims.Select(v => v.Model));

        decision = policy.Choose(Need(100, Replica("small", 60, 1024, loadSeconds: 30), Replica("cheap", 1, 1024, loadSeconds: 1)));
        Assert.Equal(["cheap"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Value_LoadOverhead_AddsToLoadSecondsPerGiB()
    {
        var policy = new SessionLfuEvictionPolicy(loadOverhead: TimeSpan.FromSeconds(60));
        Use(policy, "m");
        Assert.Equal(1, policy.Sessions("m"), 9);
        Assert.Equal((30 + 60) / 2.0, policy.Value(Replica("m", 1, 2048, loadSeconds: 30)), 9);
        Assert.Equal(0, policy.Value(Replica("never", 1, 2048, loadSeconds: 30)));
    }

    [Fact]
    public void Sessions_HalfLifeInUses_HalvesAfterThatManyUsesOfOtherModelsWhateverTheClock()
    {
        var policy = new SessionLfuEvictionPolicy(halfLife: 100);
        policy.OnUse("old", T0);
        for (var i = 0; i < 100; i++)
        {
            policy.OnUse("other", T0.AddDays(30)); // a month later, but only 100 uses: half, not nothing
        }

        Assert.Equal(101, policy.Ticks);
        Assert.Equal(0.5, policy.Sessions("old"), 9);
        var decision = policy.Choose(Need(100, Replica("old", 1, 1024), Replica("other", 60, 1024)));
        Assert.Equal(["old"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_NeverUsed_EvictedBeforeAnyUsedModel()
    {
        var policy = new SessionLfuEvictionPolicy(halfLife: 1);
        policy.OnUse("faded", T0);
        Use(policy, "other", 50);
        var decision = policy.Choose(Need(100, Replica("faded", 60, 1024), Replica("fresh", 1, 1024)));
        Assert.Equal(["fresh"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_EqualValue_LeastRecentlyUsedThenNameThenHighestReplica()
    {
        var replicas = new[]
        {
            Replica("b", 10, 100, replica: 0),
            Replica("a", 10, 100, replica: 0),
            Replica("a", 10, 100, replica: 1),
            Replica("c", 20, 100),
        };
        var decision = new SessionLfuEvictionPolicy().Choose(Need(400, replicas));
        Assert.Equal(["c/0", "a/1", "a/0", "b/0"], decision.Victims.Select(v => $"{v.Model}/{v.Replica}"));
    }

    [Theory]
    [InlineData(0, 30, 60)]
    [InlineData(10_000, -1, 60)]
    [InlineData(double.PositiveInfinity, 30, 60)]
    [InlineData(10_000, double.NaN, 60)]
    [InlineData(10_000, 30, -1)]
    public void Constructor_OutOfRange_Throws(double halfLife, double sessionGap, double overheadSeconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionLfuEvictionPolicy(halfLife, sessionGap, TimeSpan.FromSeconds(overheadSeconds)));
    }

    [Fact]
    public void Create_Names_SessionLfuIsTheDefaultAndUnknownIsNull()
    {
        Assert.Equal(["session-lfu", "gdsf", "lru", "rotation"], EvictionPolicies.Names);
        Assert.Equal("session-lfu", new Yardmaster.Core.Configuration.SchedulerSettings().Eviction);
        Assert.IsType<SessionLfuEvictionPolicy>(EvictionPolicies.Create("session-lfu"));
        Assert.IsType<GdsfEvictionPolicy>(EvictionPolicies.Create("gdsf"));
        Assert.IsType<LruEvictionPolicy>(EvictionPolicies.Create("lru"));
        Assert.Null(EvictionPolicies.Create("random"));
    }

    [Fact]
    public void Constructor_Defaults_TenThousandUsesThirtyUsesOneMinute()
    {
        var policy = new SessionLfuEvictionPolicy();
        Assert.Equal("session-lfu", policy.Name);
        Assert.Equal(10_000, policy.HalfLife);
        Assert.Equal(30, policy.SessionGap);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.LoadOverhead);
    }
}
