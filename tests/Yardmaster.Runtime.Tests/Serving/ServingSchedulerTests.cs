using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;
using static Yardmaster.Runtime.Tests.Serving.Eventually;

namespace Yardmaster.Runtime.Tests.Serving;

public sealed class ServingSchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualClock _clock = new();
    private readonly RecordingLauncher _launcher = new();

    private ServingScheduler Create(long cpuMemory = 1L << 30, SchedulerSettings? settings = null, string eviction = "lru", params ModelDefinition[] models)
    {
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create(eviction)!, new LeastOutstandingRoutingPolicy());
        var scheduler = new ServingScheduler(settings ?? new SchedulerSettings(), new DeviceSettings { CpuMemory = cpuMemory }, _launcher, policies, _clock);
        scheduler.SetModels(models);
        return scheduler;
    }

    // Engines that preempt (the builtin default) are tested on their own below; the rest of these tests are about the queue.
    private static ModelDefinition Model(string name, int slots = 4, long mib = 10, TimeSpan? keepAlive = null, int min = 0, int max = 1, bool preempt = false) =>
        new() { Name = name, Path = name + ".gguf", Slots = slots, Memory = mib << 20, KeepAlive = keepAlive ?? TimeSpan.FromMinutes(5), ReplicasMin = min, ReplicasMax = max, Preempt = preempt };

    private RequestTicket Ticket(string model, PriorityClass priority = PriorityClass.Normal, TimeSpan? deadline = null, RateLimit? rate = null, int? maxConcurrency = null, string? task = null) => new()
    {
        Task = new TaskDefinition { Name = task ?? "t-" + model, Priority = PriorityClass.Critical, Models = [model], Rate = rate, MaxConcurrency = maxConcurrency },
        Priority = priority,
        Arrival = _clock.GetUtcNow(),
        Deadline = _clock.GetUtcNow() + (deadline ?? TimeSpan.FromMinutes(1)),
    };

    private static ReplicaState[] States(ServingScheduler scheduler, string model) =>
        [.. scheduler.Snapshot().Models.Single(m => m.Name == model).Replicas.Select(r => r.State)];

    [Fact]
    public async Task AcquireAsync_HundredRequestsForColdModel_OneLoadAndAllServed()
    {
        _launcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scheduler = Create(models: Model("m", slots: 4));
        var waits = Enumerable.Range(0, 100).Select(_ => scheduler.AcquireAsync(Ticket("m"), Ct)).ToList();
        await Until(() => _launcher.Started.Count == 1);
        _launcher.Gate.SetResult();
        var served = 0;
        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits);
            waits.Remove(done);
            var lease = Assert.IsType<Lease>((await done).Lease);
            scheduler.Release(lease, success: true, TimeSpan.FromMilliseconds(10));
            served++;
        }

        Assert.Equal(100, served);
        Assert.Equal(["m"], _launcher.Started);
        Assert.Equal(0, scheduler.Snapshot().Tasks.Single().Admitted);
    }

    [Fact]
    public async Task AcquireAsync_BudgetFitsTwoOfThree_EvictsLeastRecentlyUsedIdle()
    {
        await using var scheduler = Create(cpuMemory: 200L << 20, models: [Model("a", mib: 100), Model("b", mib: 100), Model("c", mib: 100)]);
        foreach (var name in new[] { "a", "b" })
        {
            var lease = (await scheduler.AcquireAsync(Ticket(name), Ct)).Lease!;
            _clock.Advance(TimeSpan.FromSeconds(1));
            scheduler.Release(lease, true, TimeSpan.FromSeconds(1));
        }

        var c = (await scheduler.AcquireAsync(Ticket("c"), Ct)).Lease!;
        Assert.Equal("c", c.Model);
        Assert.Equal(["a/0"], _launcher.Stopped);
        await Until(() => States(scheduler, "a").Length == 0); // unloaded, then forgotten once its backend is disposed
        Assert.Equal(200L << 20, scheduler.Snapshot().Devices.Single().Used);
        scheduler.Release(c, true, null);
    }

    [Fact]
    public async Task AcquireAsync_OnlyBusyReplicasToEvict_WaitsThen503NamingWhy()
    {
        var settings = new SchedulerSettings { LoadWait = TimeSpan.FromSeconds(2) };
        await using var scheduler = Create(cpuMemory: 100L << 20, settings: settings, models: [Model("a", mib: 100), Model("b", mib: 100)]);
        var busy = (await scheduler.AcquireAsync(Ticket("a"), Ct)).Lease!;
        var waiting = scheduler.AcquireAsync(Ticket("b"), Ct);
        await Until(() => scheduler.Snapshot().Models.Single(m => m.Name == "b").Queued == 1);
        _clock.Advance(TimeSpan.FromSeconds(2.1));
        var refusal = Assert.IsType<Refusal>((await waiting).Refusal);
        Assert.Equal(503, refusal.Status);
        Assert.Contains("1 busy", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(_launcher.Stopped);
        scheduler.Release(busy, true, null);
        Assert.All(scheduler.Snapshot().Tasks, t => Assert.Equal(0, t.Admitted));
    }

    [Fact]
    public async Task Housekeeping_IdleBeyondKeepAlive_Unloads()
    {
        await using var scheduler = Create(models: Model("m", keepAlive: TimeSpan.FromMinutes(5)));
        var lease = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        scheduler.Release(lease, true, TimeSpan.FromMilliseconds(5));
        _clock.Advance(TimeSpan.FromMinutes(4), TimeSpan.FromSeconds(1));
        Assert.Equal([ReplicaState.Ready], States(scheduler, "m"));
        _clock.Advance(TimeSpan.FromMinutes(1.1), TimeSpan.FromSeconds(1));
        await Until(() => States(scheduler, "m").Length == 0);
        Assert.Equal(["m/0"], _launcher.Stopped);
        Assert.Equal(0, scheduler.Snapshot().Devices.Single().Used);
    }

    [Fact]
    public async Task Housekeeping_WarmMinimumCrashes_RestartedAfterBackoff()
    {
        await using var scheduler = Create(models: Model("m", min: 1));
        await Until(() => States(scheduler, "m").SequenceEqual([ReplicaState.Ready]));
        _launcher.Live["m/0"].Crash("exited with code 137");
        await Until(() => States(scheduler, "m").Length == 0);
        Assert.Single(_launcher.Started);
        _clock.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        await Until(() => States(scheduler, "m").SequenceEqual([ReplicaState.Ready]));
        Assert.Equal(["m", "m"], _launcher.Started);
    }

    [Fact]
    public async Task AcquireAsync_BatchRequestsSlow_AHighOneIsJudgedOnItsOwnClassesTimes()
    {
        await using var scheduler = Create(models: Model("m", slots: 4));
        for (var i = 0; i < 3; i++)
        {
            var line = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "bulk"), Ct)).Lease!;
            scheduler.Release(line, true, TimeSpan.FromSeconds(10)); // batch lines take 10 s (one thread, paused for urgent work)
        }

        // No high request measured yet: its deadline is not judged on the batch lines' 10 s.
        var first = await scheduler.AcquireAsync(Ticket("m", PriorityClass.High, TimeSpan.FromSeconds(4), task: "chat"), Ct);
        Assert.NotNull(first.Lease);
        scheduler.Release(first.Lease, true, TimeSpan.FromSeconds(1));

        var second = await scheduler.AcquireAsync(Ticket("m", PriorityClass.High, TimeSpan.FromSeconds(4), task: "chat"), Ct);
        Assert.NotNull(second.Lease); // its class takes 1 s
        scheduler.Release(second.Lease, true, TimeSpan.FromSeconds(1));

        var line2 = await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, TimeSpan.FromSeconds(4), task: "bulk"), Ct);
        Assert.Equal((503, "deadline_unmeetable"), (line2.Refusal!.Status, line2.Refusal.Code)); // its class takes 10 s
        Assert.Contains("as the mean of the model's batch requests", line2.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(6760, scheduler.Snapshot().Models.Single().ServiceEstimate.TotalMilliseconds, 1); // the mean over all (10, 10, 10, 1, 1 by 0.2) moves with both
    }

    [Fact]
    public async Task AcquireAsync_DeadlinePassesWhileQueued_504AndQueueEmpty()
    {
        await using var scheduler = Create(models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var late = scheduler.AcquireAsync(Ticket("m", deadline: TimeSpan.FromSeconds(1)), Ct);
        _clock.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Equal(504, (await late).Refusal!.Status);
        Assert.Equal(0, scheduler.Snapshot().Models.Single().Queued);
        scheduler.Release(held, true, null);
    }

    [Fact]
    public async Task AcquireAsync_QueuedWorkCannotAllMeetItsDeadlines_NewestOfTheLongestRefused503BeforeItsDeadline()
    {
        await using var scheduler = Create(models: Model("m", slots: 1));
        var taught = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        scheduler.Release(taught, true, TimeSpan.FromSeconds(10)); // the model serves in about 10 s
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var older = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, TimeSpan.FromSeconds(35), task: "bulk"), Ct);
        var newer = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, TimeSpan.FromSeconds(35), task: "bulk"), Ct);
        await Until(() => scheduler.Snapshot().Models.Single().Queued == 2);

        // The held request runs long: 20 s later the two queued need 20 s of the one slot and have 15 s left. The next
        // arrival looks at the queue: one of them is refused now, not at its deadline, and the other can still make it.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var chat = scheduler.AcquireAsync(Ticket("m", PriorityClass.High, TimeSpan.FromSeconds(60), task: "chat"), Ct);

        var refused = (await newer.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Refusal!;
        Assert.Equal((503, "deadline_unmeetable"), (refused.Status, refused.Code));
        Assert.Contains("among the longest", refused.Message, StringComparison.Ordinal);
        Assert.False(older.IsCompleted);
        Assert.Equal(2, scheduler.Snapshot().Models.Single().Queued);

        scheduler.Release(held, true, null);
        scheduler.Release((await chat.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
        scheduler.Release((await older.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
        Assert.Equal(0, scheduler.Snapshot().Tasks.Sum(t => t.Admitted));
    }

    [Fact]
    public async Task AcquireAsync_ClientGoesAway_QueuePlaceFreedAtOnce()
    {
        await using var scheduler = Create(models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        using var gone = new CancellationTokenSource();
        var waiting = scheduler.AcquireAsync(Ticket("m"), gone.Token);
        await gone.CancelAsync();
        Assert.Equal(499, (await waiting).Refusal!.Status);
        var snapshot = scheduler.Snapshot();
        Assert.Equal(0, snapshot.Models.Single().Queued);
        Assert.Equal(1, snapshot.Tasks.Single().Admitted);
        scheduler.Release(held, true, null);
        Assert.Equal(0, scheduler.Snapshot().Tasks.Single().Admitted);
    }

    [Fact]
    public async Task Release_HighAndLowWaiting_HighServedFirst()
    {
        await using var scheduler = Create(models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var low = scheduler.AcquireAsync(Ticket("m", PriorityClass.Low, task: "low"), Ct);
        var high = scheduler.AcquireAsync(Ticket("m", PriorityClass.High, task: "high"), Ct);
        await Until(() => scheduler.Snapshot().Models.Single().Queued == 2);
        scheduler.Release(held, true, null);
        var first = (await high.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!;
        Assert.False(low.IsCompleted);
        scheduler.Release(first, true, null);
        scheduler.Release((await low).Lease!, true, null);
    }

    [Fact]
    public async Task AcquireAsync_EngineThatPreempts_MoreUrgentGetsABusySlotAtOnceAndLessUrgentWaits()
    {
        await using var scheduler = Create(models: Model("m", slots: 1, preempt: true));
        var batch = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "batch"), Ct)).Lease!;
        var low = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "batch"), Ct);

        var high = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.High, task: "high") with { RequestId = "h1" }, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!;
        var second = scheduler.AcquireAsync(Ticket("m", PriorityClass.High, task: "high"), Ct);
        var model = scheduler.Snapshot().Models.Single();

        Assert.Equal((2, 2), (model.InFlight, model.Queued)); // the batch one and the high one; one of each class waits
        Assert.False(low.IsCompleted);
        Assert.False(second.IsCompleted); // as many high requests as slots already: it would take no batch slot
        Assert.True(scheduler.Trace("h1")!.Dispatch!.Preempting);
        Assert.Contains("replica 0 (cpu), taking a less urgent request's slot", scheduler.Trace("h1")!.Summary, StringComparison.Ordinal);

        scheduler.Release(high, true, null); // the waiting high one takes the slot back at once, before the waiting batch one
        var next = (await second.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!;
        Assert.False(low.IsCompleted);
        scheduler.Release(next, true, null);
        scheduler.Release(batch, true, null);
        scheduler.Release((await low.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
        Assert.Equal((0, 0), (scheduler.Snapshot().Models.Single().InFlight, scheduler.Snapshot().Models.Single().Queued));
    }

    [Fact]
    public async Task AcquireAsync_EngineThatPreempts_TightDeadlineAdmittedWhenItsSlotIsHeldByLessUrgentWork()
    {
        await using var scheduler = Create(models: Model("m", slots: 1, preempt: true));
        scheduler.Release((await scheduler.AcquireAsync(Ticket("m", task: "chat"), Ct)).Lease!, true, TimeSpan.FromSeconds(2)); // 2 s per request
        var batch = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "nightly"), Ct)).Lease!;

        // 2 s of service left in 3 s: it fits only if it does not wait for the batch request (a non-preempting engine refuses it: 503).
        var chat = await scheduler.AcquireAsync(Ticket("m", PriorityClass.Normal, TimeSpan.FromSeconds(3), task: "chat"), Ct);
        var embedding = scheduler.AcquireAsync(Ticket("m", PriorityClass.Critical, task: "embed") with { Embedding = true }, Ct);

        Assert.NotNull(chat.Lease);
        Assert.Null(chat.Refusal);
        Assert.False(embedding.IsCompleted); // an embedding never takes a busy slot: it waits for a free one
        scheduler.Release(chat.Lease, true, null);
        Assert.False(embedding.IsCompleted);
        scheduler.Release(batch, true, null);
        scheduler.Release((await embedding.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
    }

    [Fact]
    public async Task AcquireAsync_EngineThatDoesNotPreempt_MoreUrgentWaitsForAFreeSlot()
    {
        await using var scheduler = Create(models: Model("m", slots: 1, preempt: false));
        var batch = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "batch"), Ct)).Lease!;
        var high = scheduler.AcquireAsync(Ticket("m", PriorityClass.Critical, task: "high"), Ct);
        await Until(() => scheduler.Snapshot().Models.Single().Queued == 1);

        Assert.False(high.IsCompleted);
        scheduler.Release(batch, true, null);
        scheduler.Release((await high.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
    }

    [Fact]
    public async Task Retune_ToFcfsWhileRequestsQueue_QueueKeptAndServedInArrivalOrder()
    {
        await using var scheduler = Create(models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var low = scheduler.AcquireAsync(Ticket("m", PriorityClass.Low, task: "low"), Ct);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        var high = scheduler.AcquireAsync(Ticket("m", PriorityClass.High, task: "high"), Ct);
        await Until(() => scheduler.Snapshot().Models.Single().Queued == 2);

        scheduler.Retune(scheduler.Settings with { Queue = "fcfs", Eviction = "gdsf" }, QueuePolicies.Create("fcfs")!);

        Assert.Equal(("fcfs", "gdsf"), (scheduler.Settings.Queue, scheduler.Settings.Eviction));
        Assert.Equal(2, scheduler.Snapshot().Models.Single().Queued);
        scheduler.Release(held, true, null);
        var first = (await low.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!; // first come, whatever its class
        Assert.False(high.IsCompleted);
        scheduler.Release(first, true, null);
        scheduler.Release((await high.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!, true, null);
        Assert.Equal(0, scheduler.Snapshot().Models.Single().Queued);
    }

    [Fact]
    public async Task AcquireAsync_OverRate_429WithRetryAfter()
    {
        await using var scheduler = Create(models: Model("m"));
        var rate = new RateLimit(1, 1);
        var first = (await scheduler.AcquireAsync(Ticket("m", rate: rate), Ct)).Lease!;
        var refused = (await scheduler.AcquireAsync(Ticket("m", rate: rate), Ct)).Refusal!;
        Assert.Equal((429, "rate_limit", TimeSpan.FromSeconds(1)), (refused.Status, refused.Code, refused.RetryAfter));
        scheduler.Release(first, true, null);
    }

    [Fact]
    public async Task AcquireAsync_OverMaxConcurrency_429()
    {
        await using var scheduler = Create(models: Model("m"));
        var first = (await scheduler.AcquireAsync(Ticket("m", maxConcurrency: 1), Ct)).Lease!;
        var refused = (await scheduler.AcquireAsync(Ticket("m", maxConcurrency: 1), Ct)).Refusal!;
        Assert.Equal((429, "concurrency_limit"), (refused.Status, refused.Code));
        scheduler.Release(first, true, null);
    }

    [Fact]
    public async Task AcquireAsync_QueueFull_429()
    {
        await using var scheduler = Create(settings: new SchedulerSettings { MaxQueue = 1 }, models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var queued = scheduler.AcquireAsync(Ticket("m"), Ct);
        var refused = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Refusal!;
        Assert.Equal((429, "queue_full"), (refused.Status, refused.Code));
        scheduler.Release(held, true, null);
        scheduler.Release((await queued).Lease!, true, null);
    }

    [Fact]
    public async Task AcquireAsync_QueueFullOfLessUrgentWork_NewestOfTheLeastUrgentClassShedForTheNewcomer()
    {
        await using var scheduler = Create(settings: new SchedulerSettings { MaxQueue = 2 }, models: Model("m", slots: 1));
        var held = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var olderBatch = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch), Ct);
        var newerBatch = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch), Ct);

        var high = scheduler.AcquireAsync(Ticket("m", PriorityClass.High), Ct);
        var shed = (await newerBatch).Refusal!;
        Assert.Equal((429, "queue_full"), (shed.Status, shed.Code));
        Assert.Contains("a more urgent request took this one's place", shed.Message, StringComparison.Ordinal);
        Assert.False(olderBatch.IsCompleted);

        // Full again with [batch, high]: another high sheds the batch; a third finds none less urgent and is refused.
        var secondHigh = scheduler.AcquireAsync(Ticket("m", PriorityClass.High), Ct);
        Assert.Equal(429, (await olderBatch).Refusal!.Status);
        var refused = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.High), Ct)).Refusal!;
        Assert.Equal((429, "queue_full"), (refused.Status, refused.Code));
        Assert.DoesNotContain("took this one's place", refused.Message, StringComparison.Ordinal);

        scheduler.Release(held, true, null);
        scheduler.Release((await high).Lease!, true, null);
        scheduler.Release((await secondHigh).Lease!, true, null);
        await Until(() => scheduler.Snapshot().Models.Single().InFlight == 0);
        Assert.Equal(0, scheduler.Snapshot().Models.Single().Queued);
    }

    [Fact]
    public async Task AcquireAsync_LoadFails_503WithTheReason()
    {
        _launcher.Failing["m"] = "cannot load m.gguf: not a GGUF file";
        await using var scheduler = Create(models: Model("m"));
        var refused = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Refusal!;
        Assert.Equal((503, "model_load_failed"), (refused.Status, refused.Code));
        Assert.Contains("not a GGUF file", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, scheduler.Snapshot().Devices.Single().Used);
    }

    [Fact]
    public async Task AcquireAsync_ModelLargerThanBudget_503AtOnce()
    {
        await using var scheduler = Create(cpuMemory: 50L << 20, models: Model("big", mib: 100));
        var refused = (await scheduler.AcquireAsync(Ticket("big"), Ct)).Refusal!;
        Assert.Equal(503, refused.Status);
        Assert.Contains("100.0 MiB, more than any cpu budget", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_launcher.Started);
    }

    [Fact]
    public async Task AcquireAsync_FootprintUnknowable_503AtOnceNamingWhyAndNothingStarts()
    {
        _launcher.Unreadable["gone"] = "/models/gone.gguf does not exist";
        await using var scheduler = Create(models: Model("gone", min: 1));

        var refused = (await scheduler.AcquireAsync(Ticket("gone"), Ct)).Refusal!;

        Assert.Equal(503, refused.Status);
        Assert.Equal("task 't-gone' cannot be served: 'gone' cannot load: /models/gone.gguf does not exist", refused.Message);
        Assert.Equal("/models/gone.gguf does not exist", scheduler.Snapshot().Models.Single().Blocked);
        Assert.Empty(_launcher.Started); // not even the replicas.min warm-up
    }

    [Fact]
    public async Task Pump_QueueWaitBeyondSloBudget_ScalesOutToMax()
    {
        await using var scheduler = Create(models: Model("m", slots: 1, max: 2));
        var first = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        scheduler.Release(first, true, TimeSpan.FromSeconds(5)); // measured: 5 s per request
        var a = (await scheduler.AcquireAsync(Ticket("m"), Ct)).Lease!;
        var b = scheduler.AcquireAsync(Ticket("m"), Ct); // waits 5 s > 1 s budget: a second replica starts
        var second = (await b.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!;
        Assert.NotEqual(a.ReplicaNumber, second.ReplicaNumber);
        Assert.Equal(["m", "m"], _launcher.Started);
        scheduler.Release(a, true, null);
        scheduler.Release(second, true, null);
    }

    [Fact]
    public async Task Pump_QueuedRequestGetsASlotByPreemption_NoSecondReplicaStarts()
    {
        await using var scheduler = Create(models: Model("m", slots: 1, max: 2, preempt: true));
        var first = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "batch"), Ct)).Lease!;
        scheduler.Release(first, true, TimeSpan.FromSeconds(5)); // measured: 5 s per request
        var batch = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch, task: "batch"), Ct)).Lease!;

        // Without preemption it would wait 5 s > the 1 s budget and a second replica would start (Pump_QueueWaitBeyondSloBudget_ScalesOutToMax).
        var high = (await scheduler.AcquireAsync(Ticket("m", PriorityClass.High, task: "high"), Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct)).Lease!;

        Assert.Equal(batch.ReplicaNumber, high.ReplicaNumber);
        Assert.Equal(["m"], _launcher.Started);
        scheduler.Release(high, true, null);
        scheduler.Release(batch, true, null);
    }

    [Fact]
    public async Task AcquireAsync_GpuModel_ChargedToTheFirstGpuItFits()
    {
        // The inventory of a two-GPU machine as nvidia-smi reports it (index, memory.total): 0 → 24 GiB, 1 → 80 GiB.
        var devices = new DeviceSettings { CpuMemory = 8L << 30, Gpus = [new GpuDevice(0, 24L << 30, "L4"), new GpuDevice(1, 80L << 30, "A100")] };
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("gdsf")!, new LeastOutstandingRoutingPolicy());
        await using var scheduler = new ServingScheduler(new SchedulerSettings(), devices, _launcher, policies, _clock);
        scheduler.SetModels([Model("small", mib: 16 << 10) with { Device = DeviceKind.Gpu }, Model("large", mib: 40 << 10) with { Device = DeviceKind.Gpu }]);

        var small = (await scheduler.AcquireAsync(Ticket("small"), Ct)).Lease!;
        var large = (await scheduler.AcquireAsync(Ticket("large"), Ct)).Lease!;

        var used = scheduler.Snapshot().Devices.ToDictionary(d => d.Device, d => d.Used);
        Assert.Equal(16L << 30, used["gpu0"]);
        Assert.Equal(40L << 30, used["gpu1"]);
        Assert.Equal(0, used["cpu"]);
        scheduler.Release(small, true, null);
        scheduler.Release(large, true, null);
    }

    [Fact]
    public async Task AcquireAsync_GpuModelLoaded_ItsGpuIsNotFreeForStepsOnTheNodeLedger()
    {
        var (devices, node) = TwoGpus();
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("gdsf")!, new LeastOutstandingRoutingPolicy());
        await using var scheduler = new ServingScheduler(new SchedulerSettings(), devices, _launcher, policies, _clock, null, node);
        scheduler.SetModels([Model("small", mib: 16 << 10) with { Device = DeviceKind.Gpu }]);

        var lease = (await scheduler.AcquireAsync(Ticket("small"), Ct)).Lease!;

        Assert.Equal([(0, 16L << 30)], node.ModelGpuMemory(0));
        Assert.Equal(0b10UL, node.Snapshot()[0].GpuFree); // gpu0 holds the model: only gpu1 is free for steps
        Assert.False(node.TryReserve(0, new ResourceRequest(0, 0, 1), 0b01, "r1/train"));
        Assert.True(node.TryReserve(0, new ResourceRequest(0, 0, 1), 0b10, "r1/train"));
        scheduler.Release(lease, true, null);
    }

    [Fact]
    public async Task AcquireAsync_StepHoldsTheGpuTheModelWouldTake_ModelGoesToTheOtherGpu()
    {
        var (devices, node) = TwoGpus();
        Assert.True(node.TryReserve(0, new ResourceRequest(0, 0, 1), 0b01, "r1/train")); // gpu0, which the model fits first
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("gdsf")!, new LeastOutstandingRoutingPolicy());
        await using var scheduler = new ServingScheduler(new SchedulerSettings(), devices, _launcher, policies, _clock, null, node);
        scheduler.SetModels([Model("small", mib: 16 << 10) with { Device = DeviceKind.Gpu }]);

        var lease = (await scheduler.AcquireAsync(Ticket("small"), Ct)).Lease!;

        var used = scheduler.Snapshot().Devices.ToDictionary(d => d.Device, d => d.Used);
        Assert.Equal((0L, 16L << 30), (used["gpu0"], used["gpu1"]));
        Assert.Equal([(1, 16L << 30)], node.ModelGpuMemory(0));
        Assert.Equal(0UL, node.Snapshot()[0].GpuFree);
        scheduler.Release(lease, true, null);
    }

    // The inventory of a two-GPU machine as nvidia-smi reports it (index, memory.total): 0 → 24 GiB, 1 → 80 GiB; the node ledger of the same machine.
    private static (DeviceSettings Devices, Ledger.ResourceLedger Node) TwoGpus() =>
        (new DeviceSettings { CpuMemory = 8L << 30, Gpus = [new GpuDevice(0, 24L << 30, "L4"), new GpuDevice(1, 80L << 30, "A100")] },
         new Ledger.ResourceLedger([new NodeCapacity("local", 2000, 8L << 30, 2) { GpuIndexes = [0, 1] }]));
}
