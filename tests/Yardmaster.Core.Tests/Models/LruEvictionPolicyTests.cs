using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

public sealed class LruEvictionPolicyTests : EvictionPolicyContractTests
{
    protected override IEvictionPolicy CreatePolicy() => new LruEvictionPolicy();

    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ReplicaSnapshot Replica(string model, int minutesAgo, long mib, int inFlight = 0, bool pinned = false) =>
        new(model, 0, ReplicaState.Ready, DeviceKind.Cpu, mib << 20, 4, inFlight, _t0.AddMinutes(-minutesAgo), 1, TimeSpan.FromSeconds(1), pinned);

    [Fact]
    public void Choose_EnoughIdle_TakesLeastRecentlyUsedFirst()
    {
        var replicas = new[] { Replica("a", 1, 100), Replica("b", 10, 100), Replica("c", 5, 100) };
        var decision = new LruEvictionPolicy().Choose(new EvictionRequest(replicas, 150L << 20, _t0));
        Assert.True(decision.Fits);
        Assert.Equal(["b", "c"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_BusyAndPinned_NeverTakenAndRefusalSaysWhy()
    {
        var replicas = new[] { Replica("busy", 60, 100, inFlight: 1), Replica("pinned", 60, 100, pinned: true), Replica("idle", 1, 10) };
        var decision = new LruEvictionPolicy().Choose(new EvictionRequest(replicas, 50L << 20, _t0));
        Assert.False(decision.Fits);
        Assert.Empty(decision.Victims);
        Assert.Equal("need 50.0 MiB more, evictable replicas hold 10.0 MiB (1 busy, 1 pinned, 0 loading)", decision.Refusal);
    }
}
