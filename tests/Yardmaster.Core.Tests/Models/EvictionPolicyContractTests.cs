using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.Core.Tests.Models;

/// <summary>What every eviction policy promises, inherited by each policy's test class.</summary>
public abstract class EvictionPolicyContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<ReplicaSnapshot> _replicaGen =
        from model in Gen.Elements("a", "b", "c", "d", "e")
        from replica in Gen.Choose(0, 2)
        from state in Gen.Elements(Enum.GetValues<ReplicaState>())
        from mib in Gen.Choose(0, 1000)
        from slots in Gen.Choose(1, 4)
        from inFlight in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 4)))
        from minutesAgo in Gen.Choose(0, 600)
        from loadSeconds in Gen.Choose(0, 120)
        from pinned in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        select new ReplicaSnapshot(model, replica, state, DeviceKind.Cpu, (long)mib << 20, slots, inFlight, T0.AddMinutes(-minutesAgo), 1, TimeSpan.FromSeconds(loadSeconds), pinned);

    private static readonly Arbitrary<Scenario> _scenarios = (
        from replicas in Gen.ArrayOf(_replicaGen)
        from neededMib in Gen.Choose(1, 3000)
        from uses in Gen.ArrayOf(Gen.Zip(Gen.Elements("a", "b", "c", "d", "e"), Gen.Choose(0, 600)))
        select new Scenario(replicas, (long)neededMib << 20, uses)).ToArbitrary();

    /// <summary>A fresh policy instance.</summary>
    protected abstract IEvictionPolicy CreatePolicy();

    protected static ReplicaSnapshot Replica(string model, int minutesAgo, long mib, int inFlight = 0, bool pinned = false, double loadSeconds = 1, ReplicaState state = ReplicaState.Ready, int replica = 0) =>
        new(model, replica, state, DeviceKind.Cpu, mib << 20, 4, inFlight, T0.AddMinutes(-minutesAgo), 1, TimeSpan.FromSeconds(loadSeconds), pinned);

    [Fact]
    public void Choose_AnyReplicas_VictimsAreEvictableDistinctAndCoverTheNeedExactlyWhenPossible()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(_scenarios, scenario =>
        {
            var policy = CreatePolicy();
            foreach (var (model, minutesAgo) in scenario.Uses.OrderByDescending(u => u.MinutesAgo))
            {
                policy.OnUse(model, T0.AddMinutes(-minutesAgo));
            }

            var decision = policy.Choose(new EvictionRequest(scenario.Replicas, scenario.Needed, T0));
            var evictableTotal = scenario.Replicas.Where(r => r.Evictable).Sum(r => r.MemoryBytes);
            var freed = decision.Victims.Sum(v => v.MemoryBytes);

            Assert.All(decision.Victims, v => Assert.True(v.Evictable, $"{v} is not evictable"));
            Assert.All(decision.Victims, v => Assert.Contains(scenario.Replicas, r => ReferenceEquals(r, v)));
            Assert.Equal(decision.Victims.Count, decision.Victims.Distinct(ReferenceEqualityComparer.Instance).Count());
            Assert.Equal(evictableTotal >= scenario.Needed, decision.Fits);
            if (decision.Fits)
            {
                Assert.True(freed >= scenario.Needed, $"freed {freed} < needed {scenario.Needed}");
            }
            else
            {
                Assert.Empty(decision.Victims);
                Assert.NotNull(decision.Refusal);
            }
        }));
    }

    [Fact]
    public void Choose_BusyPinnedAndLoading_NeverTakenAndRefusalSaysWhy()
    {
        var replicas = new[]
        {
            Replica("busy", 60, 100, inFlight: 1),
            Replica("pinned", 60, 100, pinned: true),
            Replica("loading", 60, 100, state: ReplicaState.Loading),
            Replica("idle", 1, 10),
        };
        var decision = CreatePolicy().Choose(new EvictionRequest(replicas, 50L << 20, T0));
        Assert.False(decision.Fits);
        Assert.Empty(decision.Victims);
        Assert.Equal("need 50.0 MiB more, evictable replicas hold 10.0 MiB (1 busy, 1 pinned, 1 loading)", decision.Refusal);
    }

    [Fact]
    public void Choose_OneVictimSuffices_TakesOnlyOne()
    {
        var replicas = new[] { Replica("a", 5, 100), Replica("b", 10, 100), Replica("c", 15, 100) };
        var decision = CreatePolicy().Choose(new EvictionRequest(replicas, 100L << 20, T0));
        Assert.True(decision.Fits);
        Assert.Single(decision.Victims);
    }

    [Fact]
    public void Name_IsCreatableByName()
    {
        var policy = CreatePolicy();
        Assert.Contains(policy.Name, EvictionPolicies.Names);
        Assert.IsType(policy.GetType(), EvictionPolicies.Create(policy.Name));
    }

    public sealed record Scenario(ReplicaSnapshot[] Replicas, long Needed, (string Model, int MinutesAgo)[] Uses);
}
