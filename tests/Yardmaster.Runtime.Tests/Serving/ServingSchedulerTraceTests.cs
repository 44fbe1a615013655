using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;
using static Yardmaster.Runtime.Tests.Serving.Eventually;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>The decision traces and the live request list the scheduler keeps, on a manual clock with the recording launcher.</summary>
public sealed class ServingSchedulerTraceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualClock _clock = new();
    private readonly RecordingLauncher _launcher = new();

    private ServingScheduler Create(long cpuMemory = 1L << 30, SchedulerSettings? settings = null, params ModelDefinition[] models)
    {
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("lru")!, new LeastOutstandingRoutingPolicy());
        var scheduler = new ServingScheduler(settings ?? new SchedulerSettings(), new DeviceSettings { CpuMemory = cpuMemory }, _launcher, policies, _clock);
        scheduler.SetModels(models);
        return scheduler;
    }

    // Engines that do not preempt: these traces are about waiting in the queue (ServingSchedulerTests covers preemption).
    private static ModelDefinition Model(string name, int slots = 4, long mib = 10) =>
        new() { Name = name, Path = name + ".gguf", Slots = slots, Memory = mib << 20, KeepAlive = TimeSpan.FromMinutes(5), ReplicasMax = 1, Preempt = false };

    private RequestTicket Ticket(string id, string task, PriorityClass priority, TimeSpan? deadline = null, params string[] models) => new()
    {
        RequestId = id,
        Task = new TaskDefinition { Name = task, Priority = PriorityClass.Critical, Models = models },
        Priority = priority,
        Arrival = _clock.GetUtcNow(),
        Deadline = _clock.GetUtcNow() + (deadline ?? TimeSpan.FromMinutes(1)),
    };

    [Fact]
    public async Task Trace_ColdModel_NamesTheChosenModelAndTheLoadItWaitedFor()
    {
        _launcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scheduler = Create(models: Model("tiny"));
        var waiting = scheduler.AcquireAsync(Ticket("r1", "chat", PriorityClass.Normal, models: "tiny"), Ct);
        await Until(() => _launcher.Started.Count == 1);
        _clock.Advance(TimeSpan.FromMilliseconds(1200));
        _launcher.Gate.SetResult();
        var lease = Assert.IsType<Lease>((await waiting).Lease);
        Assert.Equal("running", scheduler.Trace("r1")!.Outcome);
        scheduler.Release(lease, success: true, TimeSpan.FromMilliseconds(5));

        var trace = scheduler.Trace("r1")!;
        Assert.Equal("tiny", trace.Model);
        Assert.Equal("only candidate", trace.Reason);
        Assert.Equal("tiny", Assert.Single(trace.Candidates).Model);
        Assert.True(trace.Load is { Model: "tiny", Replica: 0, Cold: true });
        Assert.Equal(0, trace.Dispatch!.Replica);
        Assert.Equal("completed", trace.Outcome);
        Assert.Equal(1, trace.Queue[0].Position);
        Assert.StartsWith("chose tiny (only candidate); waited 12", trace.Summary, StringComparison.Ordinal);
        Assert.Contains("ms for load of tiny", trace.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_MemoryHeldByBusyModel_NamesTheHolderThenTheEviction()
    {
        await using var scheduler = Create(cpuMemory: 100L << 20, models: [Model("small", mib: 100), Model("tiny", mib: 100)]);
        var busy = (await scheduler.AcquireAsync(Ticket("n1", "nightly-summaries", PriorityClass.Batch, models: "small"), Ct)).Lease!;
        var waiting = scheduler.AcquireAsync(Ticket("c1", "chat", PriorityClass.High, models: "tiny"), Ct);
        await Until(() => scheduler.Trace("c1")!.MemoryWaits.Count > 0);
        Assert.Equal("memory held by model `small`, busy with task `nightly-summaries` (batch)", scheduler.Trace("c1")!.MemoryWaits[0].Words);

        scheduler.Release(busy, success: true, TimeSpan.FromMilliseconds(5));
        var lease = Assert.IsType<Lease>((await waiting).Lease);
        scheduler.Release(lease, success: true, TimeSpan.FromMilliseconds(5));

        var trace = scheduler.Trace("c1")!;
        var evicted = Assert.Single(trace.Load!.Evicted);
        Assert.Equal(("small", 0), (evicted.Model, evicted.Replica));
        Assert.Contains("after evicting small", trace.Summary, StringComparison.Ordinal);
        Assert.Contains("busy with task `nightly-summaries` (batch)", trace.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_MemoryStaysHeldBeyondLoadWait_NoCapacityRefusalNamesTheHolder()
    {
        var settings = new SchedulerSettings { LoadWait = TimeSpan.FromSeconds(2) };
        await using var scheduler = Create(cpuMemory: 100L << 20, settings: settings, models: [Model("small", mib: 100), Model("tiny", mib: 100)]);
        var busy = (await scheduler.AcquireAsync(Ticket("n1", "nightly-summaries", PriorityClass.Batch, models: "small"), Ct)).Lease!;
        var waiting = scheduler.AcquireAsync(Ticket("c1", "chat", PriorityClass.High, models: "tiny"), Ct);
        await Until(() => scheduler.Trace("c1")!.MemoryWaits.Count > 0);
        _clock.Advance(TimeSpan.FromSeconds(2.1));

        var refusal = Assert.IsType<Refusal>((await waiting).Refusal);
        Assert.Equal("no_capacity", refusal.Code);
        Assert.Contains("memory held by model `small`, busy with task `nightly-summaries` (batch); retry when they finish", refusal.Message, StringComparison.Ordinal);
        var trace = scheduler.Trace("c1")!;
        Assert.Equal(("refused", "tiny"), (trace.Outcome, trace.Model));
        Assert.Contains("none can serve now", trace.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(scheduler.Requests(), r => r.Id == "c1");
        scheduler.Release(busy, true, null);
    }

    [Fact]
    public async Task Trace_QueueFull_RefusalSaysWhatHoldsTheSlotsAndWhatToDo()
    {
        await using var scheduler = Create(settings: new SchedulerSettings { MaxQueue = 1 }, models: Model("tiny", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("a", "nightly", PriorityClass.Batch, models: "tiny"), Ct)).Lease!;
        var queued = scheduler.AcquireAsync(Ticket("b", "nightly", PriorityClass.Batch, models: "tiny"), Ct);
        var refused = await scheduler.AcquireAsync(Ticket("c", "nightly", PriorityClass.Batch, models: "tiny"), Ct);

        Assert.Equal(429, refused.Refusal!.Status);
        var trace = scheduler.Trace("c")!;
        Assert.Equal("refused", trace.Outcome);
        Assert.Equal("queue_full", trace.Refusal!.Code);
        Assert.Contains("1 of 1 slots busy with task `nightly` (batch)", trace.Refusal.Message, StringComparison.Ordinal);
        Assert.Contains("raise scheduler.max_queue", trace.Refusal.Message, StringComparison.Ordinal);
        Assert.StartsWith("chose tiny", trace.Summary, StringComparison.Ordinal);
        Assert.Contains("refused (queue_full)", trace.Summary, StringComparison.Ordinal);
        scheduler.Release(held, true, null);
        scheduler.Release((await queued).Lease!, true, null);
    }

    [Fact]
    public async Task Trace_DeadlineUnmeetable_RefusalGivesThePredictionAndWhatToDo()
    {
        await using var scheduler = Create(models: Model("tiny", slots: 1));
        scheduler.Release((await scheduler.AcquireAsync(Ticket("first", "chat", PriorityClass.Normal, models: "tiny"), Ct)).Lease!, true, TimeSpan.FromSeconds(2));
        var held = (await scheduler.AcquireAsync(Ticket("held", "nightly", PriorityClass.Batch, models: "tiny"), Ct)).Lease!;

        var refused = await scheduler.AcquireAsync(Ticket("late", "chat", PriorityClass.Normal, TimeSpan.FromMilliseconds(500), "tiny"), Ct);

        Assert.Equal(503, refused.Refusal!.Status);
        var trace = scheduler.Trace("late")!;
        Assert.Equal(("refused", "deadline_unmeetable"), (trace.Outcome, trace.Refusal!.Code));
        Assert.Contains("predicted wait 2000 ms + service 2000 ms > 500 ms left", trace.Refusal.Message, StringComparison.Ordinal);
        Assert.Contains("1 of 1 slots busy with task `nightly` (batch)", trace.Refusal.Message, StringComparison.Ordinal);
        Assert.Contains("allow a longer deadline", trace.Summary, StringComparison.Ordinal);
        Assert.Null(trace.Dispatch);
        scheduler.Release(held, true, null);
    }

    [Fact]
    public async Task Trace_TwoCandidatesOneReady_ChoosesTheReadyOneAndSaysWhyNotTheOther()
    {
        await using var scheduler = Create(models: [Model("big"), Model("tiny")]);
        scheduler.Release((await scheduler.AcquireAsync(Ticket("warm", "warm", PriorityClass.Normal, models: "tiny"), Ct)).Lease!, true, TimeSpan.FromMilliseconds(5));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var lease = (await scheduler.AcquireAsync(Ticket("r", "chat", PriorityClass.Normal, models: ["big", "tiny"]), Ct)).Lease!;
        var trace = scheduler.Trace("r")!;
        Assert.Equal("tiny", trace.Model);
        Assert.Equal("only ready model", trace.Reason);
        Assert.Equal(["big", "tiny"], trace.Candidates.Select(c => c.Model));
        Assert.Contains("not chosen: tiny starts sooner", trace.Candidates[0].Reason, StringComparison.Ordinal);
        Assert.True(trace.Candidates[1].Chosen);
        scheduler.Release(lease, true, null);
    }

    [Fact]
    public async Task Requests_OneRunningOneQueued_ListsBothWithPositionWaitAndReplica()
    {
        await using var scheduler = Create(models: Model("tiny", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("a", "chat", PriorityClass.Normal, models: "tiny"), Ct)).Lease!;
        var second = scheduler.AcquireAsync(Ticket("b", "chat", PriorityClass.Normal, models: "tiny"), Ct);
        var third = scheduler.AcquireAsync(Ticket("c", "chat", PriorityClass.Normal, models: "tiny"), Ct);
        _clock.Advance(TimeSpan.FromMilliseconds(300));

        var requests = scheduler.Requests();
        Assert.Equal(["a", "b", "c"], requests.Select(r => r.Id));
        Assert.True(requests[0] is { State: RequestState.Running, Replica: 0, Device: "cpu", Model: "tiny", Task: "chat" });
        Assert.True(requests[1] is { State: RequestState.Queued, Position: 1, Replica: null, Priority: PriorityClass.Normal });
        Assert.Equal(TimeSpan.FromMilliseconds(300), requests[1].Waited);
        Assert.NotNull(requests[1].PredictedStart);
        Assert.True(requests[2].PredictedStart > requests[1].PredictedStart);

        scheduler.Release(held, true, TimeSpan.FromMilliseconds(5));
        var b = (await second).Lease!;
        Assert.Equal([2, 1], scheduler.Trace("c")!.Queue.Select(q => q.Position));
        scheduler.Release(b, true, null);
        scheduler.Release((await third).Lease!, true, null);
        Assert.Empty(scheduler.Requests());
    }

    [Fact]
    public async Task Trace_UnknownId_Null()
    {
        await using var scheduler = Create(models: Model("tiny"));
        Assert.Null(scheduler.Trace("never-seen"));
    }

    [Fact]
    public async Task Trace_MoreFinishedThanKept_OldestForgottenNewestKept()
    {
        await using var scheduler = Create(models: Model("tiny"));
        for (var i = 0; i <= 1000; i++)
        {
            var refused = await scheduler.AcquireAsync(Ticket("r" + i, "chat", PriorityClass.Normal, TimeSpan.Zero, "tiny"), Ct);
            Assert.Equal("deadline_exceeded", refused.Refusal!.Code);
        }

        Assert.Null(scheduler.Trace("r0"));
        Assert.Equal("refused", scheduler.Trace("r1")!.Outcome);
        Assert.Contains("deadline has already passed", scheduler.Trace("r1000")!.Summary, StringComparison.Ordinal);
    }
}
