using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Serving;
using static Yardmaster.Runtime.Tests.Serving.Eventually;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>
/// Serving takes memory back from serving: a model busy only with less urgent requests is drained for a more urgent one, and a
/// model loaded for a more urgent class keeps its memory from less urgent loads for its turn (no ping-pong).
/// </summary>
public sealed class ServingSchedulerDrainTests
{
    private const long GiB = 1L << 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualClock _clock = new();
    private readonly RecordingLauncher _launcher = new();

    [Fact]
    public async Task AcquireAsync_MemoryHeldByAModelBusyWithBatch_DrainsItLoadsForHighAndKeepsItForItsTurn()
    {
        // 3 GiB: one 2-GiB model at a time.
        await using var scheduler = Scheduler(3 * GiB, Model("nightly-model"), Model("chat-model"));
        var batch = (await scheduler.AcquireAsync(Ticket("nightly-model", PriorityClass.Batch), Ct)).Lease!;

        var high = scheduler.AcquireAsync(Ticket("chat-model", PriorityClass.High), Ct);
        await Until(() => State(scheduler, "nightly-model") == ReplicaState.Draining);

        Assert.Equal("cpu: waiting for nightly-model/0 to finish 1 less urgent request(s) (drained for high requests)", Blocked(scheduler, "chat-model"));
        Assert.False(high.IsCompleted);
        var queuedBatch = scheduler.AcquireAsync(Ticket("nightly-model", PriorityClass.Batch), Ct); // no new request goes to the draining replica
        scheduler.Release(batch, true, null); // the batch request ends: the replica unloads, the high model loads
        var lease = (await high.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Lease!;
        Assert.Equal("chat-model", lease.Model);
        scheduler.Release(lease, true, null);

        // The batch request now waits for the chat model's turn: loaded for high, it is not evicted for batch within it.
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        await Task.Delay(50, Ct);
        Assert.False(queuedBatch.IsCompleted);
        Assert.Contains("cpu: need", Blocked(scheduler, "nightly-model"), StringComparison.Ordinal);
        _clock.Advance(TimeSpan.FromSeconds(1)); // its turn (1 s at least) is over and it is idle: now the batch model loads
        var later = (await queuedBatch.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Lease!;

        Assert.Equal(["nightly-model", "chat-model", "nightly-model"], _launcher.Started);
        scheduler.Release(later, true, null);
    }

    [Fact]
    public async Task AcquireAsync_MemoryHeldByAModelServingAHighRequest_NotDrainedForAnotherHighRequest()
    {
        await using var scheduler = Scheduler(3 * GiB, Model("a"), Model("b"));
        var first = (await scheduler.AcquireAsync(Ticket("a", PriorityClass.High), Ct)).Lease!;
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var second = scheduler.AcquireAsync(Ticket("b", PriorityClass.High), leave.Token);
        await Until(() => Blocked(scheduler, "b") is not null);

        Assert.Equal(ReplicaState.Ready, State(scheduler, "a"));
        Assert.StartsWith("cpu: need 1.0 GiB more, evictable replicas hold 0 B (1 busy", Blocked(scheduler, "b"), StringComparison.Ordinal);
        await leave.CancelAsync();
        Assert.Equal(499, (await second).Refusal?.Status);
        scheduler.Release(first, true, null);
    }

    private static ModelDefinition Model(string name) =>
        new() { Name = name, Path = name + ".gguf", Slots = 2, Memory = 2 * GiB, KeepAlive = TimeSpan.FromMinutes(5), Preempt = false };

    private ServingScheduler Scheduler(long memory, params ModelDefinition[] models)
    {
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("lru")!, new LeastOutstandingRoutingPolicy());
        var scheduler = new ServingScheduler(new SchedulerSettings(), new DeviceSettings { CpuMemory = memory }, _launcher, policies, _clock);
        scheduler.SetModels(models);
        return scheduler;
    }

    private RequestTicket Ticket(string model, PriorityClass priority) => new()
    {
        Task = new TaskDefinition { Name = "t-" + priority, Priority = priority, Models = [model] },
        Priority = priority,
        Arrival = _clock.GetUtcNow(),
        Deadline = _clock.GetUtcNow() + TimeSpan.FromMinutes(1),
    };

    private static ReplicaState? State(ServingScheduler scheduler, string model) =>
        scheduler.Snapshot().Models.Single(m => m.Name == model).Replicas is [var first, ..] ? first.State : null;

    private static string? Blocked(ServingScheduler scheduler, string model) => scheduler.Snapshot().Models.Single(m => m.Name == model).Blocked;
}
