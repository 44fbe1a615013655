using System.Diagnostics;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Stopping jobs on the real cluster: SIGTERM to the whole job, the grace, then the kill; pending jobs cancelled.</summary>
public sealed class SlurmExecutorStopTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopAsync_StepTrappingTerm_GetsTermAndEndsWithinTheGrace()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "stop-trap", "trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 1; done");
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        await SlurmWait.ForTextAsync(launch.LogPath, "ready", TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();

        await process.StopAsync(TimeSpan.FromSeconds(60), Token).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        Assert.True(process.Exited.IsCompleted);
        Assert.Contains("got-term", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_StepIgnoringTerm_IsKilledAfterTheGrace()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "stop-kill", "trap '' TERM; echo ready; sleep 600; echo survived");
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        await SlurmWait.ForTextAsync(launch.LogPath, "ready", TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();

        await process.StopAsync(TimeSpan.FromSeconds(2), Token).WaitAsync(TimeSpan.FromSeconds(60), Token);

        var exit = await process.Exited;
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"ended after {clock.Elapsed}, before the grace");
        Assert.False(exit.Succeeded);
        Assert.Equal(9, exit.Signal);
        Assert.DoesNotContain("survived", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        await process.StopAsync(TimeSpan.FromSeconds(1), Token); // idempotent
    }

    [Fact]
    public async Task StopAsync_PendingJob_IsCancelledInSlurm()
    {
        using var dir = new TempDirectory();
        // Extra arguments pass through to sbatch: this job may not begin for an hour.
        await using var executor = new SlurmExecutor(cluster.Options(o => o.ExtraArgs = ["--begin=now+3600"]), TimeProvider.System);
        var launch = cluster.Launch(dir, "stop-pending", "echo should-not-run");
        var start = await executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        var jobId = (await File.ReadAllTextAsync(Path.Combine(launch.AttemptDirectory, "slurm-job"), Token)).Trim();
        Assert.Equal("PENDING", await cluster.StateAsync(jobId));

        await process.StopAsync(TimeSpan.FromSeconds(30), Token).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(15, (await process.Exited).Signal);
        Assert.Equal("CANCELLED", await cluster.StateAsync(jobId));
        Assert.False(File.Exists(launch.LogPath) && (await File.ReadAllTextAsync(launch.LogPath, Token)).Contains("should-not-run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exited_JobCancelledOutsideYardmaster_IsAnErrorSayingSo()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "scancel-outside", "echo ready; sleep 600");
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        await SlurmWait.ForTextAsync(launch.LogPath, "ready", TimeSpan.FromSeconds(60));
        var jobId = (await File.ReadAllTextAsync(Path.Combine(launch.AttemptDirectory, "slurm-job"), Token)).Trim();

        await cluster.RunAsync("scancel", jobId);

        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.Contains($"slurm job {jobId}", exit.Error, StringComparison.Ordinal);
        Assert.Contains("cancelled outside Yardmaster", exit.Error, StringComparison.Ordinal);
    }
}
