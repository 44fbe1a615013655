using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

public sealed class PowerOfTwoChoicesRoutingPolicyTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ReplicaSnapshot Replica(int inFlight, int slots = 4, ReplicaState state = ReplicaState.Ready) =>
        new("m", 0, state, DeviceKind.Cpu, 1L << 20, slots, inFlight, _t0, 0, TimeSpan.FromSeconds(1), false);

    [Fact]
    public void Choose_NoFreeSlot_MinusOne()
    {
        var policy = new PowerOfTwoChoicesRoutingPolicy(new Random(1));
        Assert.Equal(-1, policy.Choose([Replica(4), Replica(0, state: ReplicaState.Loading), Replica(0, state: ReplicaState.Draining)]));
        Assert.Equal(-1, policy.Choose([]));
    }

    [Fact]
    public void Choose_OneWithFreeSlot_ThatOne()
    {
        var policy = new PowerOfTwoChoicesRoutingPolicy(new Random(1));
        Assert.Equal(2, policy.Choose([Replica(4), Replica(0, state: ReplicaState.Loading), Replica(3)]));
    }

    [Fact]
    public void Choose_TwoWithFreeSlots_AlwaysTheLessLoadedRelativeToSlots()
    {
        var policy = new PowerOfTwoChoicesRoutingPolicy(new Random(7));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(0, policy.Choose([Replica(2, slots: 8), Replica(1, slots: 2), Replica(1, slots: 1)]));
        }
    }

    [Fact]
    public void Choose_FourReplicas_MostLoadedNeverAndLeastLoadedInHalfTheDraws()
    {
        var policy = new PowerOfTwoChoicesRoutingPolicy(new Random(42));
        var replicas = new[] { Replica(0), Replica(1), Replica(2), Replica(3) };
        var counts = new int[4];
        for (var i = 0; i < 6000; i++)
        {
            counts[policy.Choose(replicas)]++;
        }

        // Of the six pairs, three hold replica 0, two hold 1 (without 0), one holds 2 and 3.
        Assert.Equal(0, counts[3]);
        Assert.InRange(counts[0], 2700, 3300);
        Assert.InRange(counts[1], 1700, 2300);
        Assert.InRange(counts[2], 800, 1200);
    }

    [Fact]
    public void Choose_SameSeed_SameChoices()
    {
        var replicas = Enumerable.Range(0, 8).Select(i => Replica(i % 3)).ToArray();
        var a = new PowerOfTwoChoicesRoutingPolicy(new Random(3));
        var b = new PowerOfTwoChoicesRoutingPolicy(new Random(3));
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => a.Choose(replicas)), Enumerable.Range(0, 50).Select(_ => b.Choose(replicas)));
    }

    [Fact]
    public void Choose_AnyReplicas_PicksAFreeOneNeverTheStrictlyMostLoaded()
    {
        var replicaGen =
            from slots in Gen.Choose(1, 4)
            from inFlight in Gen.Choose(0, 4)
            from state in Gen.Elements(Enum.GetValues<ReplicaState>())
            select Replica(Math.Min(inFlight, slots), slots, state);
        var arb = Gen.Zip(Gen.ArrayOf(replicaGen), Gen.Choose(0, 1000)).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(arb, t =>
        {
            var (replicas, seed) = t;
            var chosen = new PowerOfTwoChoicesRoutingPolicy(new Random(seed)).Choose(replicas);
            var free = replicas.Where(r => r.FreeSlots > 0).ToList();
            if (free.Count == 0)
            {
                Assert.Equal(-1, chosen);
                return;
            }

            Assert.True(replicas[chosen].FreeSlots > 0);
            var loads = free.Select(r => r.InFlight / (double)r.Slots).ToList();
            var load = replicas[chosen].InFlight / (double)replicas[chosen].Slots;
            var max = loads.Max();
            Assert.True(free.Count == 1 || load < max || loads.Count(l => l == max) > 1, "took the only most loaded replica");
        }));
    }

    [Fact]
    public void Create_Names_BothPoliciesAndUnknownIsNull()
    {
        Assert.Equal(["least-outstanding", "p2c"], RoutingPolicies.Names);
        foreach (var name in RoutingPolicies.Names)
        {
            Assert.Equal(name, RoutingPolicies.Create(name, new Random(1))?.Name);
        }

        Assert.Null(RoutingPolicies.Create("round-robin", new Random(1)));
    }
}
