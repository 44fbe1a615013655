using Yardmaster.Core.Execution;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>A new executor (a restarted scheduler) finds the jobs an earlier one submitted, and never submits an attempt twice.</summary>
public sealed class SlurmExecutorReattachTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReattachAsync_FreshExecutorAfterTheFirstWasDisposedMidRun_FollowsTheJobToItsEndOnce()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "reattach-running", "echo ran >> ran.txt; echo started; sleep 3; echo finished; exit 4");
        await StartAndAbandonAsync(launch);

        await using var restarted = new SlurmExecutor(cluster.Options(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        var exit = await process.Exited.WaitAsync(Patience, Token);
        Assert.Equal(4, exit.ExitCode);
        Assert.Contains("finished", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        Assert.Equal(["ran"], await File.ReadAllLinesAsync(Path.Combine(launch.WorkingDirectory, "ran.txt"), Token));
    }

    [Fact]
    public async Task StartAsync_SameAttemptAgainAfterARestart_FollowsTheFirstJobInsteadOfSubmitting()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "start-twice", "echo ran >> ran.txt; echo started; sleep 2");
        var first = await StartAndAbandonAsync(launch);

        await using var restarted = new SlurmExecutor(cluster.Options(), TimeProvider.System);
        var start = await restarted.StartAsync(launch, Token);
        await using var process = start.Process!;

        Assert.Equal(JobOf(first), JobOf(process.Locator)); // "slurm job N", whether or not the node is known yet
        Assert.True((await process.Exited.WaitAsync(Patience, Token)).Succeeded);
        Assert.Equal(["ran"], await File.ReadAllLinesAsync(Path.Combine(launch.WorkingDirectory, "ran.txt"), Token));
    }

    [Fact]
    public async Task ReattachAsync_JobIdNeverWritten_FindsTheJobByItsName()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "reattach-by-name", "echo started; sleep 2; echo finished");
        var first = await StartAndAbandonAsync(launch);
        // As if the scheduler died between sbatch and writing the id.
        File.Delete(Path.Combine(launch.AttemptDirectory, "slurm-job"));

        await using var restarted = new SlurmExecutor(cluster.Options(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.Equal(JobOf(first), JobOf(process.Locator)); // "slurm job N", whether or not the node is known yet
        Assert.True((await process.Exited.WaitAsync(Patience, Token)).Succeeded);
        Assert.True(File.Exists(Path.Combine(launch.AttemptDirectory, "slurm-job")), "the id found by name was not written down");
    }

    [Fact]
    public async Task ReattachAsync_EndedWhileUnwatched_IsCompleteWithItsExitCode()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "reattach-ended", "exit 5");
        var start = await cluster.Executor.StartAsync(launch, Token);
        await using (var first = start.Process!)
        {
            Assert.Equal(5, (await first.Exited.WaitAsync(Patience, Token)).ExitCode);
        }

        await using var restarted = new SlurmExecutor(cluster.Options(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.True(process.Exited.IsCompleted);
        Assert.Equal(5, (await process.Exited).ExitCode);
    }

    [Fact]
    public async Task ReattachAsync_NeverSubmitted_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "never-submitted", "true");

        Assert.Null(await cluster.Executor.ReattachAsync(launch, Token));
    }

    [Fact]
    public async Task ReattachAsync_ScriptWrittenButNoJobOfItsName_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var launch = cluster.Launch(dir, "script-only", "true");
        // As if the scheduler died between writing the batch script and sbatch.
        await SlurmAttemptFiles.WriteScriptAsync(launch, "true", Token);

        Assert.Null(await cluster.Executor.ReattachAsync(launch, Token));
    }

    /// <summary>Starts <paramref name="launch"/> with an executor that is disposed once the job has started; returns its locator.</summary>
    private async Task<string> StartAndAbandonAsync(StepLaunch launch)
    {
        await using var executor = new SlurmExecutor(cluster.Options(), TimeProvider.System);
        var start = await executor.StartAsync(launch, Token);
        Assert.Null(start.Error);
        await SlurmWait.ForTextAsync(launch.LogPath, "started", Patience);
        var locator = start.Process!.Locator;
        await start.Process.DisposeAsync();
        Assert.Contains("no longer watched", (await start.Process.Exited).Error, StringComparison.Ordinal);
        return locator;
    }

    /// <summary>The job part of a locator (<c>slurm job 42</c>): the node is added once Slurm has placed the job.</summary>
    private static string JobOf(string locator) => string.Join(' ', locator.Split(' ').Take(3));
}
