using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Core.Tests.Serving;

public sealed class ServingPassDispatchTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ReplicaSnapshot Replica(int number, int slots, int inFlight, ReplicaState state = ReplicaState.Ready, int idleSeconds = 0) =>
        new("m", number, state, DeviceKind.Cpu, 1, slots, inFlight, _t0.AddSeconds(-idleSeconds), 0, TimeSpan.Zero, false) { Account = "cpu" };

    private static ModelState State(int ready, int queued, int readySlots, int loading = 0, int max = 4, int min = 0, TimeSpan? keepAlive = null, double serviceSeconds = 1, double budgetSeconds = 1) =>
        new("m", false, ready, loading, min, max, queued, readySlots, TimeSpan.FromSeconds(serviceSeconds), _t0, keepAlive, TimeSpan.FromSeconds(budgetSeconds));

    [Fact]
    public void Dispatch_FreeSlotsOnTwoReplicas_EachRequestToTheLeastOutstanding()
    {
        var plan = ServingPass.Dispatch(State(2, queued: 5, readySlots: 4), [Replica(0, 2, 1), Replica(1, 2, 0)], new LeastOutstandingRoutingPolicy(), false, _t0);
        Assert.Equal([1, 0, 1], plan.Replicas);
        Assert.False(plan.ScaleOut); // 2 left: 1 s each over 4 slots is a 0.5 s wait, within the 1 s budget
    }

    [Fact]
    public void PreemptTarget_EverySlotHeldByLessUrgentWork_TheReplicaWithFewestAsUrgent()
    {
        // Two replicas of 2 slots, both full: one with two batch requests, the other with one high and one batch.
        ReplicaSnapshot[] replicas = [Preempting(0, 2, batch: 2), Preempting(1, 2, high: 1, batch: 1)];

        Assert.Equal(0, ServingPass.PreemptTarget(replicas, PriorityClass.High)); // none as urgent there
        Assert.Equal(0, ServingPass.PreemptTarget(replicas, PriorityClass.Critical));
        Assert.Equal(-1, ServingPass.PreemptTarget(replicas, PriorityClass.Batch)); // nothing less urgent to take a slot from
    }

    [Fact]
    public void PreemptTarget_AsManyAsUrgentAsSlots_None()
    {
        Assert.Equal(-1, ServingPass.PreemptTarget([Preempting(0, 2, high: 2)], PriorityClass.High));
        Assert.Equal(0, ServingPass.PreemptTarget([Preempting(0, 2, high: 2)], PriorityClass.Critical));
        // Already as many preempted as slots (4 in flight on 2): no more, whatever the class.
        Assert.Equal(-1, ServingPass.PreemptTarget([Preempting(0, 2, critical: 2, batch: 2)], PriorityClass.Critical));
    }

    [Fact]
    public void PreemptTarget_EngineThatDoesNotPreemptOrReplicaNotReady_None()
    {
        Assert.Equal(-1, ServingPass.PreemptTarget([Preempting(0, 2, batch: 2) with { Preempts = false }], PriorityClass.Critical));
        Assert.Equal(-1, ServingPass.PreemptTarget([Preempting(0, 2, batch: 2) with { State = ReplicaState.Draining }], PriorityClass.Critical));
    }

    private static ReplicaSnapshot Preempting(int number, int slots, int critical = 0, int high = 0, int batch = 0) =>
        Replica(number, slots, critical + high + batch) with { Preempts = true, InFlightByClass = [critical, high, 0, 0, batch] };

    [Fact]
    public void ShouldScaleOut_QueueWaitBeyondBudget_YesUnlessLoadingOrAtMax()
    {
        Assert.False(ServingPass.ShouldScaleOut(State(1, queued: 1, readySlots: 1), false, _t0));
        Assert.True(ServingPass.ShouldScaleOut(State(1, queued: 2, readySlots: 1), false, _t0));
        Assert.False(ServingPass.ShouldScaleOut(State(1, queued: 2, readySlots: 1, loading: 1), false, _t0));
        Assert.False(ServingPass.ShouldScaleOut(State(1, queued: 2, readySlots: 1, max: 1), false, _t0));
        Assert.False(ServingPass.ShouldScaleOut(State(1, queued: 2, readySlots: 1), true, _t0));
        Assert.True(ServingPass.ShouldScaleOut(State(0, queued: 1, readySlots: 0), false, _t0));
        Assert.False(ServingPass.ShouldScaleOut(State(0, queued: 1, readySlots: 0) with { NextLoadAt = _t0.AddSeconds(1) }, false, _t0));
    }

    [Fact]
    public void IdleUnloads_PastKeepAlive_LeastRecentlyUsedFirst_KeepingTheMinimum()
    {
        ReplicaSnapshot[] replicas = [Replica(0, 1, 0, idleSeconds: 100), Replica(1, 1, 0, idleSeconds: 300), Replica(2, 1, 1, idleSeconds: 900), Replica(3, 1, 0, idleSeconds: 5)];
        Assert.Equal([1, 0], ServingPass.IdleUnloads(State(4, 0, 4, min: 1, keepAlive: TimeSpan.FromSeconds(60)), replicas, _t0));
        Assert.Equal([1], ServingPass.IdleUnloads(State(4, 0, 4, min: 3, keepAlive: TimeSpan.FromSeconds(60)), replicas, _t0));
        Assert.Empty(ServingPass.IdleUnloads(State(4, 1, 4, keepAlive: TimeSpan.FromSeconds(60)), replicas, _t0));
        Assert.Empty(ServingPass.IdleUnloads(State(4, 0, 4), replicas, _t0));
    }

    [Fact]
    public void BelowMinimum_FewerReadyThanMinAndNoneLoading_Yes()
    {
        Assert.True(ServingPass.BelowMinimum(State(0, 0, 0, min: 1), _t0));
        Assert.False(ServingPass.BelowMinimum(State(0, 0, 0, min: 1, loading: 1), _t0));
        Assert.False(ServingPass.BelowMinimum(State(1, 0, 1, min: 1), _t0));
    }

    [Fact]
    public void QueueBudget_TightestOfTheTasksUsingTheModel()
    {
        TaskDefinition[] tasks =
        [
            new() { Name = "a", Models = ["m"], Latency = TimeSpan.FromSeconds(4) },
            new() { Name = "b", Models = ["m"], Ttft = TimeSpan.FromMilliseconds(500) },
            new() { Name = "c", Models = ["other"], Ttft = TimeSpan.FromMilliseconds(1) },
        ];
        Assert.Equal(TimeSpan.FromMilliseconds(500), ServingPass.QueueBudget("m", tasks));
        Assert.Equal(TimeSpan.FromSeconds(1), ServingPass.QueueBudget("unused", tasks));
    }
}
