using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

/// <summary>A new executor (a restarted scheduler) finds attempts an earlier one started.</summary>
public sealed class DockerExecutorReattachTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReattachAsync_StillRunning_WaitsForItsExitCodeAndKeepsLogging()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "reattach-running.1", "sh", "-c", "echo before; sleep 2; echo after; exit 4");
        await StartAndForgetAsync(launch);

        using var restarted = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        var exit = await process.Exited.WaitAsync(Patience, Token);
        Assert.Equal(4, exit.ExitCode);
        Assert.Contains("after", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        Assert.Null(await engine.InspectAsync(launch));
    }

    [Fact]
    public async Task ReattachAsync_EndedWhileUnwatched_IsCompleteWithItsCodeAndRemovesIt()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "reattach-ended.1", "sh", "-c", "sleep 1; echo late-output; exit 5");
        await StartAndForgetAsync(launch);
        await engine.Engine.WaitContainerAsync(DockerContainerName.For(launch.AttemptId), Token);

        using var restarted = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.True(process.Exited.IsCompleted);
        Assert.Equal(5, (await process.Exited).ExitCode);
        Assert.Contains("late-output", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        Assert.Null(await engine.InspectAsync(launch));
    }

    [Fact]
    public async Task ReattachAsync_EndedAndRemoved_ReturnsTheRecordedOutcome()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "reattach-removed.1", "sh", "-c", "exit 6");
        var start = await engine.Executor.StartAsync(launch, Token);
        await using (var first = start.Process!)
        {
            Assert.Equal(6, (await first.Exited.WaitAsync(Patience, Token)).ExitCode);
        }

        using var restarted = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
        await using var process = await restarted.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.Equal(6, (await process.Exited).ExitCode);
    }

    [Fact]
    public async Task ReattachAsync_NeverStarted_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "reattach-never.1", "true");

        Assert.Null(await engine.Executor.ReattachAsync(launch, Token));
    }

    [Fact]
    public async Task StartAsync_SameAttemptAgain_TakesTheExistingContainer()
    {
        using var dir = new TempDirectory();
        var launch = engine.Launch(dir, "restart-same.1", "sh", "-c", "sleep 1; exit 7");
        var id = await StartAndForgetAsync(launch);

        using var restarted = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
        var again = await restarted.StartAsync(launch, Token);
        await using var process = again.Process!;

        Assert.Contains(id[..12], process.Locator, StringComparison.Ordinal);
        Assert.Equal(7, (await process.Exited.WaitAsync(Patience, Token)).ExitCode);
    }

    /// <summary>Starts it with a fresh executor and drops the handle without stopping it: a scheduler that crashed.</summary>
    private async Task<string> StartAndForgetAsync(Core.Execution.StepLaunch launch)
    {
        using var first = new DockerExecutor(new DockerExecutorOptions(), TimeProvider.System);
        var start = await first.StartAsync(launch, Token);
        Assert.Null(start.Error);
        await start.Process!.DisposeAsync();
        Assert.NotNull(await start.Process.Exited.WaitAsync(Patience, Token));
        return (await engine.InspectAsync(launch))!.Id;
    }
}
