using System.Numerics;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;

namespace Yardmaster.Core.Tests.Placement;

public sealed class SchedulingPassTests
{
    private static readonly IPlacementPolicy FirstFit = PlacementPolicies.Create(PlacementPolicies.FirstFit)!;
    private static readonly IPlacementPolicy BestFit = PlacementPolicies.Create(PlacementPolicies.BestFit)!;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 200)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Plan_RandomSnapshot_NeverOverAllocatesANode(int seed)
    {
        var random = new Random(seed);
        var nodes = Enumerable.Range(0, random.Next(1, 5)).Select(_ => new NodeResources(random.Next(1, 9) * 1000, random.Next(1, 17) * (1L << 30), random.Next(0, 5))).ToArray();
        var running = new List<RunningStep>();
        for (var k = 0; k < random.Next(0, 12); k++)
        {
            var request = RandomRequest(random);
            var n = random.Next(nodes.Length);
            if (nodes[n].Fits(request))
            {
                var started = random.Next(0, 50);
                running.Add(new RunningStep(k, n, RandomClass(random), request, started, started + random.Next(1, 200), random.Next(4) > 0, nodes[n].Take(request), random.Next(5) == 0));
            }
        }

        var ready = Enumerable.Range(0, random.Next(1, 30)).Select(k => new ReadyStep(k, RandomClass(random), RandomRequest(random), random.Next(1, 300), random.Next(3))).ToList();
        var before = (NodeResources[])nodes.Clone();
        var pass = new SchedulingPass(random.Next(2) == 0 ? FirstFit : BestFit, backfill: random.Next(3) > 0);

        var plan = pass.Plan(ready, nodes, running, new PassLimits(random.Next(1, 40), [random.Next(0, 10), random.Next(0, 10), 1000]), now: 60);

        Assert.Equal(plan.Starts.Count, plan.Starts.Select(s => s.Key).Distinct().Count());
        for (var n = 0; n < nodes.Length; n++)
        {
            var starts = plan.Starts.Where(s => s.Node == n).ToList();
            var cpu = starts.Sum(s => ready[s.Key].Request.CpuMillis);
            var memory = starts.Sum(s => ready[s.Key].Request.MemoryBytes);
            Assert.True(cpu <= before[n].CpuFree, $"seed {seed}: node {n} gets {cpu}m with {before[n].CpuFree}m free");
            Assert.True(memory <= before[n].MemoryFree, $"seed {seed}: node {n} gets {memory} B with {before[n].MemoryFree} B free");
            var gpus = 0UL;
            foreach (var s in starts)
            {
                Assert.Equal(ready[s.Key].Request.Gpus, BitOperations.PopCount(s.Gpus));
                Assert.Equal(0UL, gpus & s.Gpus);
                Assert.Equal(s.Gpus, s.Gpus & before[n].GpuFree);
                gpus |= s.Gpus;
            }

            Assert.Equal(before[n].CpuFree - cpu, nodes[n].CpuFree);
        }

        Assert.All(plan.Preemptions, v => Assert.True(running.Single(r => r.Key == v) is { Preemptible: true, Stopping: false }));
    }

    [Fact]
    public void Plan_BlockedLargeStep_LongSmallStepsUseOnlyTheReservationsLeftover()
    {
        // One node of 4 cores; a running step holds 2 until t=100. The large step (3 cores) is reserved for
        // t=100, which leaves 1 core over: one long small step may take it, a second may not (it would still
        // hold its core at t=100), a short one ends before t=100 and may use the free core.
        var nodes = new[] { new NodeResources(4000, 16L << 30, 0) };
        var holder = Running(0, 0, PriorityClass.Normal, Cpu(2000), started: 0, end: 100);
        nodes[0].Take(holder.Request);
        var ready = new List<ReadyStep>
        {
            new(0, PriorityClass.Normal, Cpu(3000), 50, 0),
            new(1, PriorityClass.Normal, Cpu(1000), 200, 0),
            new(2, PriorityClass.Normal, Cpu(1000), 200, 0),
            new(3, PriorityClass.Normal, Cpu(1000), 50, 0),
        };

        var plan = new SchedulingPass(BestFit).Plan(ready, nodes, [holder], Limits(), now: 10);

        Assert.Equal([1, 3], plan.Starts.Select(s => s.Key));
        Assert.Equal(0, plan.Reserved);
        Assert.Equal(100, plan.ReservedAt);
        Assert.Empty(plan.Preemptions);
    }

    [Fact]
    public void Plan_BackfillOff_NothingPassesABlockedStep()
    {
        var nodes = new[] { new NodeResources(4000, 16L << 30, 0) };
        var holder = Running(0, 0, PriorityClass.Normal, Cpu(2000), started: 0, end: 100);
        nodes[0].Take(holder.Request);
        var ready = new List<ReadyStep> { new(0, PriorityClass.Normal, Cpu(3000), 50, 0), new(1, PriorityClass.Normal, Cpu(1000), 5, 0) };

        var plan = new SchedulingPass(BestFit, backfill: false).Plan(ready, nodes, [holder], Limits(), now: 10);

        Assert.Empty(plan.Starts);
        Assert.Equal(0, plan.Reserved);
    }

    [Theory]
    [InlineData(PlacementPolicies.FirstFit, 0)]
    [InlineData(PlacementPolicies.BestFit, 1)]
    public void Plan_TwoNodesWithRoom_PolicyChoosesAsDocumented(string policy, int expected)
    {
        // Node 0 has 3 cores free, node 1 has 1: first-fit takes the first with room, best-fit the tightest.
        var nodes = new[] { new NodeResources(4000, 8L << 30, 0) { CpuFree = 3000 }, new NodeResources(4000, 8L << 30, 0) { CpuFree = 1000 } };

        var plan = new SchedulingPass(PlacementPolicies.Create(policy)!).Plan([new(0, PriorityClass.Normal, Cpu(1000), 10, 0)], nodes, [], Limits(), now: 0);

        Assert.Equal(expected, Assert.Single(plan.Starts).Node);
    }

    [Fact]
    public void Plan_BestFitCpuOnlyStep_KeepsTheGpuNodeFree()
    {
        var nodes = new[] { new NodeResources(8000, 32L << 30, 2), new NodeResources(8000, 32L << 30, 0) };

        var plan = new SchedulingPass(BestFit).Plan([new(0, PriorityClass.Normal, Cpu(1000), 10, 0), new(1, PriorityClass.Normal, new ResourceRequest(1000, 0, 1), 10, 0)], nodes, [], Limits(), now: 0);

        Assert.Equal([(0, 1), (1, 0)], plan.Starts.Select(s => (s.Key, s.Node)));
        Assert.Equal(1UL, plan.Starts[1].Gpus);
    }

    [Theory]
    [InlineData(PlacementPolicies.FirstFit)]
    [InlineData(PlacementPolicies.BestFit)]
    public void Plan_NodesOfTwoEngines_EachStepOnlyOnItsEngine(string policy)
    {
        // Node 0 is this machine (engine 0), nodes 1 and 2 a cluster's (engine 1); the local node is the roomiest.
        var nodes = new[] { new NodeResources(16000, 64L << 30, 0), new NodeResources(2000, 4L << 30, 0) { Engine = 1 }, new NodeResources(2000, 4L << 30, 0) { Engine = 1 } };
        var ready = new List<ReadyStep>
        {
            new(0, PriorityClass.Normal, Cpu(2000), 10, 0, Engine: 1),
            new(1, PriorityClass.Normal, Cpu(2000), 10, 0, Engine: 1),
            new(2, PriorityClass.Normal, Cpu(2000), 10, 0, Engine: 1),
            new(3, PriorityClass.Normal, Cpu(1000), 10, 0, Engine: 0),
        };

        var plan = new SchedulingPass(PlacementPolicies.Create(policy)!).Plan(ready, nodes, [], Limits(), now: 0);

        // The third cluster step waits (both cluster nodes are full) although the local node could hold it; the local step runs locally.
        Assert.Equal([(0, 1), (1, 2), (3, 0)], plan.Starts.Select(s => (s.Key, s.Node)).OrderBy(s => s.Key));
        Assert.Equal(15000, nodes[0].CpuFree);
    }

    [Fact]
    public void Plan_BlockedClusterStep_NeverPreemptsLocalSteps()
    {
        var nodes = new[] { new NodeResources(2000, 4L << 30, 0), new NodeResources(2000, 4L << 30, 0) { Engine = 1 } };
        var running = new List<RunningStep> { Running(0, 0, PriorityClass.Batch, Cpu(2000), started: 0, end: 1000), Running(1, 1, PriorityClass.Normal, Cpu(2000), started: 0, end: 50, preemptible: false) };
        foreach (var r in running)
        {
            nodes[r.Node].Take(r.Request);
        }

        var plan = new SchedulingPass(BestFit).Plan([new(0, PriorityClass.Critical, Cpu(2000), 10, 0, Engine: 1)], nodes, running, Limits(), now: 20);

        Assert.Empty(plan.Preemptions);
        Assert.Empty(plan.Starts);
        Assert.Equal(50, plan.ReservedAt);
    }

    [Fact]
    public void Plan_HigherClassBlocked_PreemptsFewestLowestYoungestVictims()
    {
        var nodes = new[] { new NodeResources(4000, 16L << 30, 0) };
        var running = new List<RunningStep>
        {
            Running(0, 0, PriorityClass.Batch, Cpu(1000), started: 0, end: 1000),
            Running(1, 0, PriorityClass.Low, Cpu(1000), started: 5, end: 1000),
            Running(2, 0, PriorityClass.Normal, Cpu(1000), started: 1, end: 1000),
            Running(3, 0, PriorityClass.Batch, Cpu(1000), started: 10, end: 1000),
        };
        foreach (var r in running)
        {
            nodes[0].Take(r.Request);
        }

        var plan = new SchedulingPass(BestFit).Plan([new(0, PriorityClass.High, Cpu(2000), 10, 0)], nodes, running, Limits(), now: 20);

        Assert.Equal([3, 0], plan.Preemptions);
        Assert.Empty(plan.Starts);
        Assert.Equal(0, plan.Reserved);
    }

    [Fact]
    public void Plan_VictimsOnTwoNodes_PicksTheNodeNeedingFewest()
    {
        var nodes = new[] { new NodeResources(2000, 16L << 30, 0), new NodeResources(2000, 16L << 30, 0) };
        var running = new List<RunningStep>
        {
            Running(0, 0, PriorityClass.Batch, Cpu(1000), started: 0, end: 1000),
            Running(1, 0, PriorityClass.Batch, Cpu(1000), started: 1, end: 1000),
            Running(2, 1, PriorityClass.Batch, Cpu(2000), started: 0, end: 1000),
        };
        foreach (var r in running)
        {
            nodes[r.Node].Take(r.Request);
        }

        var plan = new SchedulingPass(BestFit).Plan([new(0, PriorityClass.Critical, Cpu(2000), 10, 0)], nodes, running, Limits(), now: 20);

        Assert.Equal([2], plan.Preemptions);
    }

    [Theory]
    [InlineData(PriorityClass.Normal, true, 3000)] // same class: no preemption
    [InlineData(PriorityClass.High, false, 3000)] // victims not preemptible
    [InlineData(PriorityClass.High, true, 5000)] // even every victim is not enough... and too large for the node
    public void Plan_NoLowerClassPreemptibleVictimsThatSuffice_PreemptsNothing(PriorityClass waiting, bool preemptible, long cpu)
    {
        var nodes = new[] { new NodeResources(4000, 16L << 30, 0) };
        var running = new List<RunningStep>
        {
            Running(0, 0, PriorityClass.Critical, Cpu(2000), started: 0, end: 1000),
            Running(1, 0, PriorityClass.Normal, Cpu(1000), started: 0, end: 1000, preemptible),
            Running(2, 0, PriorityClass.Normal, Cpu(1000), started: 0, end: 1000, preemptible),
        };
        foreach (var r in running)
        {
            nodes[0].Take(r.Request);
        }

        var plan = new SchedulingPass(BestFit).Plan([new(0, waiting, Cpu(cpu), 10, 0)], nodes, running, Limits(), now: 20);

        Assert.Empty(plan.Preemptions);
        Assert.Empty(plan.Starts);
    }

    [Fact]
    public void Plan_HigherClassStepNeedingMoreThanLowerClassesHold_DoesNotPreemptHigherClass()
    {
        // The Critical step holds 2 cores; the High step needs 3: preempting both Normal steps frees only 2.
        var nodes = new[] { new NodeResources(4000, 16L << 30, 0) };
        var running = new List<RunningStep>
        {
            Running(0, 0, PriorityClass.Critical, Cpu(2000), started: 0, end: 1000),
            Running(1, 0, PriorityClass.Normal, Cpu(1000), started: 0, end: 1000),
            Running(2, 0, PriorityClass.Normal, Cpu(1000), started: 0, end: 1000),
        };
        foreach (var r in running)
        {
            nodes[0].Take(r.Request);
        }

        var plan = new SchedulingPass(BestFit).Plan([new(0, PriorityClass.High, Cpu(3000), 10, 0)], nodes, running, Limits(), now: 20);

        Assert.DoesNotContain(0, plan.Preemptions);
        Assert.Empty(plan.Preemptions);
    }

    private static PriorityClass RandomClass(Random random) => (PriorityClass)random.Next(0, 5);

    private static ResourceRequest RandomRequest(Random random) => new(random.Next(1, 9) * 250, random.Next(0, 9) * (512L << 20), random.Next(4) == 0 ? random.Next(1, 3) : 0);

    private static ResourceRequest Cpu(long millis) => new(millis, 0, 0);

    private static RunningStep Running(int key, int node, PriorityClass priority, ResourceRequest request, double started, double end, bool preemptible = true) =>
        new(key, node, priority, request, started, end, preemptible, 0, Stopping: false);

    private static PassLimits Limits() => new(100, [100]);
}
