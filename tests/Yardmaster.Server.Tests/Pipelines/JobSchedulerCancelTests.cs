using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>Cancelling runs and preempting steps: what is stopped, how it is recorded, and that nothing is left running.</summary>
public sealed class JobSchedulerCancelTests
{
    [Fact]
    public async Task CancelAsync_StepRunningAndDependantWaiting_AllCancelledAndProcessGroupGone()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: long
            steps:
              - id: sleep
                run: sleep 30
              - id: after
                needs: sleep
                run: echo after > after
            """);
        var running = await harness.WaitForStartedAsync(id, "sleep");
        var started = DateTimeOffset.UtcNow;

        Assert.True(await harness.Host.Scheduler.CancelAsync(id, "cancelled by the test", Token));
        var run = await harness.WaitAsync(id);

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(15), $"took {DateTimeOffset.UtcNow - started}");
        Assert.Equal((RunState.Cancelled, "cancelled by the test"), (run.State, run.Reason));
        var detail = await harness.DetailAsync(id);
        Assert.Equal(StepState.Cancelled, Step(detail, "sleep").State);
        Assert.Equal(StepState.Cancelled, Step(detail, "after").State);
        Assert.Equal(AttemptOutcome.Cancelled, Assert.Single(Attempts(detail, "sleep")).Outcome);
        Assert.Empty(Attempts(detail, "after"));
        Assert.Empty(await LiveMembersAfterKillAsync(ProcessGroup(running)));
        Assert.False(await harness.Host.Scheduler.CancelAsync(id, "again", Token));
    }

    [Fact]
    public async Task SubmitAsync_HighClassStepOnFullNode_PreemptsBatchStepWithoutUsingARetry()
    {
        await using var harness = await StartAsync(cpuMillis: 1000);
        var batchId = await harness.SubmitAsync("""
            name: nightly
            priority: batch
            steps:
              - id: crunch
                run: sleep 30
                resources: { cpu: 1 }
            """);
        var victim = await harness.WaitForStartedAsync(batchId, "crunch");

        var highId = await harness.SubmitAsync("""
            name: urgent
            priority: high
            steps:
              - id: hi
                run: echo hi
                resources: { cpu: 1 }
            """);
        var high = await harness.WaitAsync(highId, TimeSpan.FromSeconds(20));

        Assert.Equal(RunState.Succeeded, high.State);
        var second = await harness.WaitForStartedAsync(batchId, "crunch", number: 2);
        var highDetail = await harness.DetailAsync(highId);
        var hi = Assert.Single(Attempts(highDetail, "hi"));
        Assert.Equal("hi", (await File.ReadAllTextAsync(hi.LogPath, Token)).Trim());
        Assert.True(second.StartedAt >= hi.EndedAt, "the batch step came back before the high step ended");
        var batch = await harness.DetailAsync(batchId);
        var first = Attempts(batch, "crunch")[0];
        Assert.Equal(AttemptOutcome.Preempted, first.Outcome);
        Assert.Contains("preempted for 'hi'", first.Reason, StringComparison.Ordinal);
        Assert.True(hi.StartedAt >= first.EndedAt, "the high step started before the batch step released its CPU");
        Assert.Empty(await LiveMembersAfterKillAsync(ProcessGroup(victim)));
        var crunch = Step(batch, "crunch");
        Assert.Equal((StepState.Running, 2, 0), (crunch.State, crunch.Attempts, crunch.RetriesUsed));

        Assert.True(await harness.Host.Scheduler.CancelAsync(batchId, "done", Token));
        Assert.Equal(RunState.Cancelled, (await harness.WaitAsync(batchId)).State);
    }
}
