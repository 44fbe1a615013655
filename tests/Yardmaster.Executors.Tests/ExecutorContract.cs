using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Tests;

/// <summary>
/// What every executor must do, run against each real one (process, docker): subclasses give the executor
/// and how a step's command is expressed for it.
/// </summary>
public abstract class ExecutorContract
{
    protected abstract IStepExecutor Executor { get; }

    /// <summary>A launch whose body runs <paramref name="shell"/> (a /bin/sh command line) in the executor's way.</summary>
    protected abstract StepLaunch Launch(TempDirectory dir, string attemptId, string shell);

    [Fact]
    public async Task StartAsync_SuccessfulCommand_ExitsZeroWithOutputInLog()
    {
        using var dir = new TempDirectory();
        var launch = Launch(dir, "c1.ok.1", "echo hello-from-step");
        var start = await Executor.StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);
        await using var process = start.Process!;
        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Contains("hello-from-step", await File.ReadAllTextAsync(launch.LogPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_FailingCommand_ReportsItsExitCode()
    {
        using var dir = new TempDirectory();
        var start = await Executor.StartAsync(Launch(dir, "c1.fail.1", "exit 3"), TestContext.Current.CancellationToken);
        await using var process = start.Process!;
        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.Succeeded);
    }
}
