using System.Globalization;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

public sealed class ProcessExecutorReattachTests
{
    [Fact]
    public async Task ReattachAsync_RunningStepFromAnotherExecutor_ReportsItsExitCode()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.live.1", "sleep 2; exit 5");
        var start = await new ProcessExecutor().StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);

        await using var found = await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken);

        Assert.NotNull(found);
        Assert.False(found.Exited.IsCompleted);
        Assert.Equal(start.Process!.Locator, found.Locator);
        var exit = await found.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(5, exit.ExitCode);
    }

    /// <summary>With a state folder (RAM-backed in production), nothing is created in the attempt's directory, a new executor finds the step there, and disposing the ended attempt removes its state.</summary>
    [Fact]
    public async Task ReattachAsync_WithStateDirectory_FindsTheStepAndDisposeRemovesItsState()
    {
        using var dir = new TempDirectory();
        using var state = new TempDirectory();
        var options = new ProcessExecutorOptions { StateDirectory = state.Path };
        var launch = TestLaunches.Shell(dir, "a.state." + Guid.NewGuid().ToString("N")[..8], "sleep 1; exit 6");
        Directory.Delete(launch.AttemptDirectory);
        var start = await new ProcessExecutor(options).StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);
        Assert.False(Directory.Exists(launch.AttemptDirectory));
        Assert.Single(Directory.GetDirectories(state.Path));

        await using (var found = await new ProcessExecutor(options).ReattachAsync(launch, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(found);
            Assert.Equal(6, (await found.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)).ExitCode);
        }

        Assert.Empty(Directory.GetDirectories(state.Path));
        await start.Process!.DisposeAsync();
    }

    /// <summary>The scheduler killed between posix_spawn and the pid file: the wrapper is found by the attempt id in its environment.</summary>
    [Fact]
    public async Task ReattachAsync_RunningStepWithoutPidFile_FoundByItsEnvironment()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.nopid." + Guid.NewGuid().ToString("N")[..8], "sleep 2; exit 5");
        var start = await new ProcessExecutor().StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);
        File.Delete(Path.Combine(launch.AttemptDirectory, "pid"));

        await using var found = await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken);

        Assert.NotNull(found);
        Assert.Equal(start.Process!.Locator, found.Locator);
        var exit = await found.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(5, exit.ExitCode);
    }

    [Theory]
    [InlineData("exit 7", 7)]
    [InlineData("false", 1)]
    [InlineData("if", 2)]
    [InlineData("trap 'echo bye' EXIT; exit 4", 4)]
    [InlineData("exec sh -c 'exit 6'", 6)]
    public async Task ReattachAsync_StepThatEndedUnwatched_IsAlreadyEndedWithItsStatus(string command, int code)
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.done.1", command);
        Assert.Equal(code, (await TestLaunches.RunAsync(new ProcessExecutor(), launch)).ExitCode);

        await using var found = await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken);

        Assert.NotNull(found);
        Assert.True(found.Exited.IsCompleted);
        Assert.Equal(code, (await found.Exited).ExitCode);
        await found.StopAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task StopAsync_ReattachedStep_EndsItBySignal()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.stop.1", "sleep 300");
        var start = await new ProcessExecutor().StartAsync(launch, TestContext.Current.CancellationToken);
        await using var found = await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken);
        Assert.NotNull(found);

        await found.StopAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(15, (await found.Exited).Signal);
        Assert.Equal(15, (await start.Process!.Exited.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).Signal);
    }

    [Fact]
    public async Task ReattachAsync_PidReusedByAnotherProcess_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.reused.1", "true");
        var self = Environment.ProcessId;
        var realStart = ProcStat.StartTime(self);
        Assert.NotNull(realStart);
        new PidFile(self, realStart.Value + 1, ProcStat.BootId, null).Write(launch.AttemptDirectory);

        Assert.Null(await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReattachAsync_PidFileOfTheLiveProcess_WatchesIt()
    {
        // The same forged file with the right start time is found: the mismatch above is what made it null.
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.self.1", "true");
        var self = Environment.ProcessId;
        new PidFile(self, ProcStat.StartTime(self)!.Value, ProcStat.BootId, null).Write(launch.AttemptDirectory);

        await using var found = await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken);

        Assert.NotNull(found);
        Assert.Equal("pid " + self.ToString(CultureInfo.InvariantCulture), found.Locator);
        Assert.False(found.Exited.IsCompleted);
    }

    [Fact]
    public async Task ReattachAsync_OtherBootWithoutStatus_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var launch = TestLaunches.Shell(dir, "a.boot.1", "true");
        var self = Environment.ProcessId;
        new PidFile(self, ProcStat.StartTime(self)!.Value, Guid.NewGuid().ToString(), null).Write(launch.AttemptDirectory);

        Assert.Null(await new ProcessExecutor().ReattachAsync(launch, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReattachAsync_NothingRecorded_ReturnsNull()
    {
        using var dir = new TempDirectory();
        Assert.Null(await new ProcessExecutor().ReattachAsync(TestLaunches.Shell(dir, "a.none.1", "true"), TestContext.Current.CancellationToken));
    }
}
