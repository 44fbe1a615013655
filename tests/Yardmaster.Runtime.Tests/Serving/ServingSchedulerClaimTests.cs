using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Serving;
using static Yardmaster.Runtime.Tests.Serving.Eventually;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>Serving claiming host memory back from pipeline steps on the node ledger, and the serving reserve only preemptible steps borrow.</summary>
public sealed class ServingSchedulerClaimTests
{
    private const long GiB = 1L << 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualClock _clock = new();
    private readonly RecordingLauncher _launcher = new();

    [Fact]
    public async Task AcquireAsync_HighRequestStepsHoldTheMemory_ClaimsItBackAndLoadsOnceTheStepGivesItBack()
    {
        // 8 GiB host, a batch step holds 7: a 2-GiB model for a high request misses 1 GiB, so serving claims its 2 GiB on the node ledger.
        var node = Host(8 * GiB);
        var step = new ResourceRequest(1000, 7 * GiB, 0);
        Assert.True(node.TryReserve(0, step, 0, "r1/crunch", preemptible: true));
        await using var scheduler = Scheduler(node, Model("chat-model", 2 * GiB));

        var waiting = scheduler.AcquireAsync(Ticket("chat-model", PriorityClass.High), Ct);
        await Until(() => node.HasClaims);

        Assert.Equal(new ServingClaim(0, 2 * GiB, PriorityClass.High, "model 'chat-model'"), Assert.Single(node.Claims().Claims));
        Assert.Equal("cpu: needs 1.0 GiB more, held by pipeline steps; asked the job scheduler to stop preemptible steps less urgent than high", scheduler.Snapshot().Models.Single().Blocked);
        Assert.False(node.TryReserve(0, new ResourceRequest(0, GiB, 0), 0, "r2/other", preemptible: true)); // the free GiB is claimed
        Assert.Empty(_launcher.Started);
        Assert.False(waiting.IsCompleted);

        node.Release(0, step, 0, "r1/crunch"); // the job scheduler stopped the step
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        var lease = (await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Lease!;

        Assert.False(node.HasClaims);
        Assert.Equal(2 * GiB, node.ModelMemory(0));
        Assert.False(node.TryReserve(0, new ResourceRequest(0, 7 * GiB, 0), 0, "r1/crunch", preemptible: true));
        Assert.True(node.TryReserve(0, new ResourceRequest(0, 6 * GiB, 0), 0, "r1/crunch", preemptible: true)); // what the model leaves
        scheduler.Release(lease, true, null);
    }

    [Fact]
    public async Task AcquireAsync_BatchRequestStepsHoldTheMemory_ClaimsNothingAndSaysSo()
    {
        var node = Host(8 * GiB);
        Assert.True(node.TryReserve(0, new ResourceRequest(1000, 7 * GiB, 0), 0, "r1/crunch", preemptible: true));
        await using var scheduler = Scheduler(node, Model("m", 2 * GiB));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = scheduler.AcquireAsync(Ticket("m", PriorityClass.Batch), leave.Token);
        await Until(() => scheduler.Snapshot().Models.Single().Blocked is not null);

        Assert.Equal("cpu: needs 1.0 GiB more, held by pipeline steps; batch requests do not take memory back from steps", scheduler.Snapshot().Models.Single().Blocked);
        Assert.False(node.HasClaims);
        await leave.CancelAsync();
        Assert.Equal(499, (await waiting).Refusal?.Status); // the client left
    }

    [Fact]
    public async Task AcquireAsync_ClaimingRequestLeaves_ClaimIsDroppedAndStepsMayTakeTheMemory()
    {
        var node = Host(8 * GiB);
        Assert.True(node.TryReserve(0, new ResourceRequest(1000, 7 * GiB, 0), 0, "r1/crunch", preemptible: true));
        await using var scheduler = Scheduler(node, Model("m", 2 * GiB));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = scheduler.AcquireAsync(Ticket("m", PriorityClass.Critical), leave.Token);
        await Until(() => node.HasClaims);
        await leave.CancelAsync();
        Assert.Equal(499, (await waiting).Refusal?.Status); // the client left
        _clock.Advance(TimeSpan.FromMilliseconds(250));

        await Until(() => !node.HasClaims);
        Assert.True(node.TryReserve(0, new ResourceRequest(0, GiB, 0), 0, "r2/other", preemptible: true));
    }

    [Fact]
    public void TryReserve_ServingReserve_OnlyPreemptibleStepsBorrowWhatModelsDoNotUse()
    {
        var node = Host(8 * GiB);
        node.ReserveForServing(0, 4 * GiB);

        Assert.False(node.TryReserve(0, new ResourceRequest(0, 5 * GiB, 0), 0, "r1/steady", preemptible: false));
        Assert.True(node.TryReserve(0, new ResourceRequest(0, 4 * GiB, 0), 0, "r1/steady", preemptible: false));
        Assert.Equal((4 * GiB, 4 * GiB), (node.Snapshot()[0].MemoryFree, node.Snapshot()[0].ServingReserve));
        node.ChargeModelMemory(0, GiB); // a model uses 1 GiB of the reserve: 3 left unused
        Assert.Equal(3 * GiB, node.Snapshot()[0].ServingReserve);
        Assert.False(node.TryReserve(0, new ResourceRequest(0, GiB, 0), 0, "r2/steady", preemptible: false));
        Assert.True(node.TryReserve(0, new ResourceRequest(0, 3 * GiB, 0), 0, "r3/nightly", preemptible: true));
        Assert.Equal(0, node.Snapshot()[0].MemoryFree);
    }

    private static ResourceLedger Host(long memory) => new([new NodeCapacity("local", 2000, memory, 0)]);

    private static ModelDefinition Model(string name, long bytes) =>
        new() { Name = name, Path = name + ".gguf", Slots = 2, Memory = bytes, KeepAlive = TimeSpan.FromMinutes(5), Preempt = false };

    private ServingScheduler Scheduler(ResourceLedger node, params ModelDefinition[] models)
    {
        var policies = new ServingPolicies(QueuePolicies.Create("fair")!, () => EvictionPolicies.Create("lru")!, new LeastOutstandingRoutingPolicy());
        var scheduler = new ServingScheduler(new SchedulerSettings(), new DeviceSettings { CpuMemory = node.Nodes[0].MemoryBytes }, _launcher, policies, _clock, null, node);
        scheduler.SetModels(models);
        return scheduler;
    }

    private RequestTicket Ticket(string model, PriorityClass priority) => new()
    {
        Task = new TaskDefinition { Name = "t-" + model, Priority = priority, Models = [model] },
        Priority = priority,
        Arrival = _clock.GetUtcNow(),
        Deadline = _clock.GetUtcNow() + TimeSpan.FromMinutes(1),
    };
}
