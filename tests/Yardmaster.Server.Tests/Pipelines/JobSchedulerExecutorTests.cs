using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>Steps on the real executors: a container reading a file a process step wrote, and memory limits.</summary>
public sealed class JobSchedulerExecutorTests
{
    [Fact]
    public async Task SubmitAsync_ContainerStepAfterProcessStep_SeesTheWorkingDirectory()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: mixed
            steps:
              - id: write
                run: printf '{"n":1}\n{"n":2}\n{"n":3}\n' > data.jsonl
              - id: count
                needs: write
                container:
                  image: yard/busybox:local
                  command: ["sh", "-c", "wc -l /work/data.jsonl"]
            """);

        var run = await harness.WaitAsync(id);

        var detail = await harness.DetailAsync(id);
        Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.Reason}");
        var attempt = Assert.Single(Attempts(detail, "count"));
        Assert.Equal(("docker", AttemptOutcome.Succeeded), (attempt.Executor, attempt.Outcome));
        var log = await File.ReadAllTextAsync(attempt.LogPath, Token);
        Assert.Equal("3 /work/data.jsonl", log.Trim());
    }

    /// <summary>A step that grows its memory without end is killed at its limit, whichever executor runs it.</summary>
    [Theory]
    [InlineData("run: 'x=a; while true; do x=$x$x; done'", "32MiB", "(32.0 MiB)")]
    [InlineData("container: { image: yard/busybox:local, command: 'x=a; while true; do x=$x$x; done' }", "16MiB", "(16.0 MiB)")]
    public async Task SubmitAsync_StepOverItsMemoryLimit_OomKilled(string body, string memory, string limit)
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync($$"""
            name: hungry
            steps:
              - id: grow
                {{body}}
                resources: { memory: {{memory}} }
                timeout: 30s
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var attempt = Assert.Single(Attempts(await harness.DetailAsync(id), "grow"));
        Assert.True(attempt.Outcome == AttemptOutcome.OomKilled, $"{attempt.Outcome}: {attempt.Reason}");
        Assert.Contains("OOM-killed", attempt.Reason, StringComparison.Ordinal);
        Assert.EndsWith(limit, attempt.Reason, StringComparison.Ordinal);
    }
}
