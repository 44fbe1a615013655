using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>slurmctld unreachable while a job runs: nothing is concluded, and the outcome is read once it answers again.</summary>
public sealed class SlurmExecutorOutageTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exited_ControllerUnreachableWhileTheJobEnds_WaitsAndThenReportsItsExitCode()
    {
        using var dir = new TempDirectory();
        // The executor reads its own copy of slurm.conf; pointing the copy at a dead port cuts it off from slurmctld.
        var conf = await File.ReadAllLinesAsync(cluster.Conf, Token);
        var copy = dir.File("slurm.conf");
        await File.WriteAllLinesAsync(copy, conf, Token);
        await using var executor = new SlurmExecutor(cluster.Options(o => o.Conf = copy), TimeProvider.System);
        var launch = cluster.Launch(dir, "outage", "echo started; sleep 4; exit 6");
        var start = await executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        await SlurmWait.ForTextAsync(launch.LogPath, "started", TimeSpan.FromSeconds(60));
        var jobId = (await File.ReadAllTextAsync(Path.Combine(launch.AttemptDirectory, "slurm-job"), Token)).Trim();

        await File.WriteAllLinesAsync(copy, conf.Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=16899" : l), Token);
        await SlurmWait.UntilAsync(async () => await cluster.StateAsync(jobId) == "FAILED", $"job {jobId} ending", TimeSpan.FromSeconds(60));
        await SlurmWait.UntilAsync(() => Task.FromResult(executor.LastPollError is not null), "a poll failing", TimeSpan.FromSeconds(90));

        Assert.Contains("Unable to contact slurm controller", executor.LastPollError, StringComparison.Ordinal);
        Assert.False(process.Exited.IsCompleted, "an outcome was concluded while slurmctld could not be asked");

        await File.WriteAllLinesAsync(copy, conf, Token);
        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(90), Token);
        Assert.Equal(6, exit.ExitCode);
        Assert.Null(executor.LastPollError);
    }

    [Fact]
    public async Task ReattachAsync_ControllerUnreachable_ThrowsRatherThanCallingTheAttemptGone()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "reattach-outage", "echo started; sleep 2");
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        var conf = (await File.ReadAllLinesAsync(cluster.Conf, Token)).Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=16899" : l);
        await File.WriteAllLinesAsync(dir.File("slurm.conf"), conf, Token);
        await using var cutOff = new SlurmExecutor(cluster.Options(o => o.Conf = dir.File("slurm.conf")), TimeProvider.System);

        var error = await Assert.ThrowsAsync<SlurmCommandException>(() => cutOff.ReattachAsync(launch, Token));

        Assert.Contains("squeue failed", error.Message, StringComparison.Ordinal);
        Assert.True((await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), Token)).Succeeded);
    }
}
