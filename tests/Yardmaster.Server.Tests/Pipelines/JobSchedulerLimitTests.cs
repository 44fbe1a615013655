using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>Concurrency limits: <c>max_parallel</c> per pipeline over all its runs.</summary>
public sealed class JobSchedulerLimitTests
{
    [Fact]
    public async Task SubmitAsync_TwoRunsOfAPipelineWithMaxParallelOne_NoTwoStepsOverlap()
    {
        // Room for four at once on the node; the pipeline allows one.
        await using var harness = await JobHarness.StartAsync(cpuMillis: 4000);
        const string Yaml = """
            name: one-at-a-time
            max_parallel: 1
            steps:
              - { id: a, run: sleep 0.3 }
              - { id: b, run: sleep 0.3 }
            """;
        var first = await harness.SubmitAsync(Yaml);
        var second = await harness.SubmitAsync(Yaml);
        Assert.Equal(RunState.Succeeded, (await harness.WaitAsync(first)).State);
        Assert.Equal(RunState.Succeeded, (await harness.WaitAsync(second)).State);

        var attempts = (await harness.DetailAsync(first)).Attempts.Concat((await harness.DetailAsync(second)).Attempts)
            .OrderBy(a => a.StartedAt).ToList();
        Assert.Equal(4, attempts.Count);
        for (var i = 1; i < attempts.Count; i++)
        {
            Assert.True(attempts[i].StartedAt >= attempts[i - 1].EndedAt, $"{attempts[i].RunId}/{attempts[i].StepId} started before {attempts[i - 1].RunId}/{attempts[i - 1].StepId} ended");
        }
    }

    [Fact]
    public async Task SubmitAsync_OtherPipelineBesideALimitedOne_IsNotHeldBack()
    {
        await using var harness = await JobHarness.StartAsync(cpuMillis: 4000);
        var limited = await harness.SubmitAsync("""
            name: limited
            max_parallel: 1
            steps:
              - { id: a, run: sleep 1 }
              - { id: b, run: sleep 1 }
            """);
        var free = await harness.SubmitAsync("""
            name: free
            steps:
              - { id: x, run: sleep 0.2 }
              - { id: y, run: sleep 0.2 }
            """);
        Assert.Equal(RunState.Succeeded, (await harness.WaitAsync(free)).State);
        var freeDetail = await harness.DetailAsync(free);
        var limitedDetail = await harness.DetailAsync(limited);

        // Both free steps ran while the limited pipeline's first step was still running.
        Assert.All(freeDetail.Attempts, a => Assert.Null(limitedDetail.Attempts.FirstOrDefault(l => l.EndedAt is { } end && end <= a.StartedAt)));
        Assert.Equal(RunState.Succeeded, (await harness.WaitAsync(limited)).State);
    }
}
