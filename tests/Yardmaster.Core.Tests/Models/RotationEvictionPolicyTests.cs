using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Core.Tests.Models;

public sealed class RotationEvictionPolicyTests
{
    private static readonly DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ReplicaSnapshot Replica(string model, double loadSeconds, double readySecondsAgo, double usedSecondsAgo, int inFlight = 0) =>
        new(model, 0, ReplicaState.Ready, DeviceKind.Gpu, 4L << 30, 4, inFlight, _now.AddSeconds(-usedSecondsAgo), 1, TimeSpan.FromSeconds(loadSeconds), false)
        {
            Account = "gpu0",
            ReadyAt = _now.AddSeconds(-readySecondsAgo),
        };

    [Fact]
    public void Choose_OneReplicaWithinItsTurn_EvictsOnlyThoseWhoseTurnIsOverLeastRecentlyUsedFirst()
    {
        // Quanta at 10%: a 20-s load earns 200 s; a 5-s load 50 s.
        var replicas = new[]
        {
            Replica("fresh", loadSeconds: 20, readySecondsAgo: 100, usedSecondsAgo: 10), // within its turn and in use
            Replica("old-a", loadSeconds: 5, readySecondsAgo: 600, usedSecondsAgo: 3),
            Replica("old-b", loadSeconds: 5, readySecondsAgo: 600, usedSecondsAgo: 4),
        };

        var decision = new RotationEvictionPolicy().Choose(new EvictionRequest(replicas, 6L << 30, _now));

        Assert.Equal(["old-b", "old-a"], decision.Victims.Select(v => v.Model));
    }

    [Fact]
    public void Choose_OnlyReplicasWithinTheirTurnCouldMakeRoom_RefusesSayingWhenTheNextTurnEnds()
    {
        var replicas = new[] { Replica("fresh", loadSeconds: 20, readySecondsAgo: 150, usedSecondsAgo: 5), Replica("busy", 5, 900, 0, inFlight: 1) };

        var decision = new RotationEvictionPolicy().Choose(new EvictionRequest(replicas, 1L << 30, _now));

        Assert.False(decision.Fits);
        Assert.EndsWith("1 idle replica(s) holding 4.0 GiB are within their turn (rotation), the next ends in 50 s", decision.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ReplicaWithinItsQuantumButUnusedLongerThanAReload_HasGivenItsTurnUp()
    {
        var replicas = new[] { Replica("paused", loadSeconds: 20, readySecondsAgo: 100, usedSecondsAgo: 25) };

        Assert.Equal(["paused"], new RotationEvictionPolicy().Choose(new EvictionRequest(replicas, 1L << 30, _now)).Victims.Select(v => v.Model));
    }

    [Theory]
    [InlineData(20.0, 0.1, 200.0)]
    [InlineData(20.0, 0.5, 40.0)]
    [InlineData(0.0, 0.1, 1.0)] // at least the minimum quantum
    public void Quantum_IsTheLoadTimeOverTheShare(double loadSeconds, double share, double quantumSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(quantumSeconds), new RotationEvictionPolicy(share).Quantum(Replica("m", loadSeconds, 0, 0)));
    }

    [Fact]
    public void Load_ModelsOwnIdleReplica_NeverEvictedToLoadAnotherOfIt()
    {
        // A second replica of "m" does not fit beside the first: evicting the first to load the second gains nothing.
        var input = new LoadInput(4L << 30, null, [new DeviceFree("gpu0", 6L << 30, 2L << 30)], [Replica("m", 1, 900, 900)], "gpu") { Model = "m" };

        var plan = ServingPass.Load(input, _ => new LruEvictionPolicy(), _now);

        Assert.False(plan.Starts);
        Assert.False(ServingPass.CanFitNow(input));
        Assert.True(ServingPass.Load(input with { Model = "other" }, _ => new LruEvictionPolicy(), _now).Starts);
    }
}
