using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;

namespace Yardmaster.Core.Tests.Placement;

/// <summary>Serving taking memory back from steps: <see cref="SchedulingPass.Reclaim"/> and the serving reserve in <see cref="SchedulingPass.Plan"/>.</summary>
public sealed class SchedulingPassReclaimTests
{
    private const long GiB = 1L << 30;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 200)];

    [Fact]
    public void Reclaim_ClaimShortOfMemory_StopsTheFewestBatchStepsTheSmallestThatSuffices()
    {
        // 16 GiB node, models hold 2, steps 13 (batch 8, 3, 1.5; low 0.5): 1 GiB free for models. A high claim of 3 GiB misses 2:
        // one batch step suffices, and of those that do, the 3-GiB one (not the 8-GiB one) is stopped.
        var running = new List<RunningStep>
        {
            Step(0, PriorityClass.Batch, 8 * GiB), Step(1, PriorityClass.Batch, 3 * GiB), Step(2, PriorityClass.Batch, 3 * GiB / 2), Step(3, PriorityClass.Low, GiB / 2),
        };

        var victims = SchedulingPass.Reclaim([Claim(3 * GiB, PriorityClass.High)], [new ServingMemory(3 * GiB, 2 * GiB, 0)], running);

        Assert.Equal([(1, 0)], victims);
    }

    [Fact]
    public void Reclaim_BatchStepsNotEnough_AddsLowStepsLargestFirst()
    {
        var running = new List<RunningStep> { Step(0, PriorityClass.Batch, GiB), Step(1, PriorityClass.Low, 4 * GiB), Step(2, PriorityClass.Low, 2 * GiB), Step(3, PriorityClass.Normal, 8 * GiB) };

        var victims = SchedulingPass.Reclaim([Claim(5 * GiB, PriorityClass.High)], [new ServingMemory(0, 0, 0)], running);

        Assert.Equal([0, 1], victims.Select(v => v.Key).Order());
    }

    [Theory]
    [InlineData(PriorityClass.Batch, true, false)] // a batch claim stops nothing: no class is less urgent
    [InlineData(PriorityClass.Normal, false, false)] // not preemptible
    [InlineData(PriorityClass.Low, true, true)]
    public void Reclaim_OnlyPreemptibleStepsOfLessUrgentClasses(PriorityClass claimClass, bool preemptible, bool stopped)
    {
        var running = new List<RunningStep> { Step(0, PriorityClass.Batch, 4 * GiB, preemptible) };

        var victims = SchedulingPass.Reclaim([Claim(2 * GiB, claimClass)], [new ServingMemory(0, 0, 0)], running);

        Assert.Equal(stopped, victims.Count == 1);
    }

    [Fact]
    public void Reclaim_EvenAllCandidatesNotEnough_StopsNone()
    {
        var running = new List<RunningStep> { Step(0, PriorityClass.Batch, GiB), Step(1, PriorityClass.High, 8 * GiB) };

        Assert.Empty(SchedulingPass.Reclaim([Claim(4 * GiB, PriorityClass.High)], [new ServingMemory(0, 0, 0)], running));
    }

    [Fact]
    public void Reclaim_StepsAlreadyStoppingCoverTheClaim_StopsNoMore()
    {
        var running = new List<RunningStep> { Step(0, PriorityClass.Batch, 4 * GiB) with { Stopping = true }, Step(1, PriorityClass.Batch, 4 * GiB) };

        Assert.Empty(SchedulingPass.Reclaim([Claim(3 * GiB, PriorityClass.High)], [new ServingMemory(0, 0, 0)], running));
    }

    [Fact]
    public void Reclaim_WithinTheServingReserve_StopsAPreemptibleStepOfAnyClass()
    {
        // The reserve is 4 GiB and models use none: a normal step marked preemptible borrowed it, and a normal claim takes it back.
        // Beyond the reserve, the same claim could not stop a step of its own class.
        var running = new List<RunningStep> { Step(0, PriorityClass.Normal, 4 * GiB) };

        Assert.Single(SchedulingPass.Reclaim([Claim(3 * GiB, PriorityClass.Normal)], [new ServingMemory(0, 0, 4 * GiB)], running));
        Assert.Empty(SchedulingPass.Reclaim([Claim(5 * GiB, PriorityClass.Normal)], [new ServingMemory(0, 0, 4 * GiB)], running));
    }

    [Fact]
    public void Reclaim_TwoClaimsOnANode_EachStopsOnlyLessUrgentStepsAndNoStepTwice()
    {
        var running = new List<RunningStep> { Step(0, PriorityClass.Batch, 2 * GiB), Step(1, PriorityClass.Low, 2 * GiB), Step(2, PriorityClass.Normal, 2 * GiB) };

        var victims = SchedulingPass.Reclaim([Claim(2 * GiB, PriorityClass.Low, "b"), Claim(2 * GiB, PriorityClass.High, "a")], [new ServingMemory(0, 0, 0)], running);

        // The high claim (index 1) goes first and takes the batch step; the low claim finds no step less urgent than low left.
        Assert.Equal([(0, 1)], victims);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reclaim_RandomSnapshot_VictimsArePreemptibleDistinctAndEnoughOrNone(int seed)
    {
        var random = new Random(seed);
        var running = Enumerable.Range(0, random.Next(0, 10)).Select(k => Step(k, (PriorityClass)random.Next(0, 5), random.Next(0, 9) * (GiB / 2), random.Next(4) > 0) with { Stopping = random.Next(6) == 0 }).ToList();
        var memory = new ServingMemory(random.Next(0, 8) * GiB, random.Next(0, 4) * GiB, random.Next(0, 3) == 0 ? random.Next(1, 8) * GiB : 0);
        var claim = Claim(random.Next(1, 12) * GiB, (PriorityClass)random.Next(0, 4));

        var victims = SchedulingPass.Reclaim([claim], [memory], running);

        var stopped = victims.Select(v => running.Single(r => r.Key == v.Key)).ToList();
        Assert.Equal(stopped.Count, stopped.Select(s => s.Key).Distinct().Count());
        Assert.All(stopped, s => Assert.True(s is { Preemptible: true, Stopping: false }));
        var withinReserve = memory.Models + claim.Bytes <= memory.Reserve;
        Assert.All(stopped, s => Assert.True(withinReserve || s.Priority > claim.Priority, $"seed {seed}: stopped a {s.Priority} step for a {claim.Priority} claim"));
        var covered = memory.Unreserved - memory.Models + running.Where(r => r.Stopping).Sum(r => r.Request.MemoryBytes);
        if (stopped.Count > 0)
        {
            Assert.True(covered + stopped.Sum(s => s.Request.MemoryBytes) >= claim.Bytes, $"seed {seed}: stopped steps that do not free enough");
            Assert.True(covered + stopped.Sum(s => s.Request.MemoryBytes) - stopped.Min(s => s.Request.MemoryBytes) < claim.Bytes, $"seed {seed}: one stopped step was not needed");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Plan_ServingReserve_StepsThatMayNotBePreemptedNeverTakeIt(int seed)
    {
        var random = new Random(seed);
        var nodes = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new NodeResources(8000, random.Next(1, 17) * GiB, 0)).ToArray();
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i].ServingReserve = random.Next(0, 3) == 0 ? 0 : Math.Min(nodes[i].MemoryFree, random.Next(1, 9) * GiB);
        }

        var ready = Enumerable.Range(0, random.Next(1, 20)).Select(k => new ReadyStep(k, (PriorityClass)random.Next(0, 5), new ResourceRequest(250, random.Next(0, 9) * (GiB / 2), 0), random.Next(1, 300), 0, 0, random.Next(2) == 0)).ToList();
        var before = (NodeResources[])nodes.Clone();

        var plan = new SchedulingPass(PlacementPolicies.Create(PlacementPolicies.BestFit)!).Plan(ready, nodes, [], new PassLimits(100, [100]), now: 0);

        for (var n = 0; n < nodes.Length; n++)
        {
            var starts = plan.Starts.Where(s => s.Node == n).Select(s => ready[s.Key]).ToList();
            Assert.True(starts.Sum(s => s.Request.MemoryBytes) <= before[n].MemoryFree, $"seed {seed}: node {n} over-allocated");
            Assert.True(starts.Where(s => !s.Preemptible).Sum(s => s.Request.MemoryBytes) <= before[n].MemoryFree - before[n].ServingReserve, $"seed {seed}: steps that may not be preempted took serving's reserve on node {n}");
        }
    }

    [Fact]
    public void Plan_ServingReserve_PreemptibleStepBorrowsItAndOneThatMayNotWaits()
    {
        var nodes = new[] { new NodeResources(4000, 8 * GiB, 0) { ServingReserve = 6 * GiB } };
        var ready = new List<ReadyStep>
        {
            new(0, PriorityClass.Normal, new ResourceRequest(1000, 4 * GiB, 0), 60, 0, 0, Preemptible: false),
            new(1, PriorityClass.Batch, new ResourceRequest(1000, 4 * GiB, 0), 60, 0, 0, Preemptible: true),
        };

        var plan = new SchedulingPass(PlacementPolicies.Create(PlacementPolicies.FirstFit)!).Plan(ready, nodes, [], new PassLimits(100, [100]), now: 0);

        Assert.Equal([1], plan.Starts.Select(s => s.Key));
        Assert.Equal(4 * GiB, nodes[0].ServingReserve); // what the borrower left of it
    }

    private static ServingClaim Claim(long bytes, PriorityClass priority, string owner = "model 'm'") => new(0, bytes, priority, owner);

    private static RunningStep Step(int key, PriorityClass priority, long memory, bool preemptible = true) =>
        new(key, 0, priority, new ResourceRequest(500, memory, 0), key, key + 100, preemptible, 0, false);
}
