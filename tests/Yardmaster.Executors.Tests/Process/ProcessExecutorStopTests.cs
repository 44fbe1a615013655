using System.Globalization;
using Yardmaster.Executors.Process;

namespace Yardmaster.Executors.Tests.Process;

public sealed class ProcessExecutorStopTests
{
    private readonly ProcessExecutor _executor = new();

    [Fact]
    public async Task StopAsync_SleepingStep_EndsItsWholeProcessGroupGrandchildIncluded()
    {
        using var dir = new TempDirectory();
        var fifo = await MakeFifoAsync(dir.File("grandchild"));
        var start = await _executor.StartAsync(TestLaunches.Shell(dir, "s.group.1", "sh -c 'sleep 300 & echo $! > grandchild; sleep 300'"), TestContext.Current.CancellationToken);
        await using var step = start.Process!;
        var grandchild = int.Parse((await File.ReadAllTextAsync(fifo, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
        using var grandchildGone = PidWatch.Open(grandchild);

        await step.StopAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var exit = await step.Exited.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(15, exit.Signal);
        Assert.True(grandchildGone.WaitForExit(TimeSpan.FromSeconds(30)), "the grandchild outlived the stop");
    }

    [Fact]
    public async Task StopAsync_StepIgnoringSigterm_IsKilledAfterTheGracePeriod()
    {
        using var dir = new TempDirectory();
        var fifo = await MakeFifoAsync(dir.File("ready"));
        var start = await _executor.StartAsync(TestLaunches.Shell(dir, "s.term.1", "trap '' TERM; sh -c 'echo $$ > ready; exec sleep 300'"), TestContext.Current.CancellationToken);
        await using var step = start.Process!;
        var sleeper = int.Parse((await File.ReadAllTextAsync(fifo, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
        using var sleeperGone = PidWatch.Open(sleeper);

        await step.StopAsync(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(step.Exited.IsCompleted);
        Assert.True(sleeperGone.WaitForExit(TimeSpan.FromSeconds(30)), "the TERM-ignoring sleep survived");
        await step.StopAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken); // idempotent
    }

    [Fact]
    public async Task StopAsync_StepTrappingSigterm_GetsTheGraceToCheckpointAndItsExitIsRecorded()
    {
        // The wrapper shares the step's process group: it must outlive the SIGTERM, or the rest of the group is killed as it ends,
        // before the step's own trap has written its checkpoint.
        using var dir = new TempDirectory();
        var fifo = await MakeFifoAsync(dir.File("ready"));
        var start = await _executor.StartAsync(TestLaunches.Shell(dir, "s.checkpoint.1", "trap 'sleep 0.5; echo saved > checkpoint; exit 0' TERM; echo up > ready; sleep 300 & wait"), TestContext.Current.CancellationToken);
        await using var step = start.Process!;
        await File.ReadAllTextAsync(fifo, TestContext.Current.CancellationToken);

        await step.StopAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var exit = await step.Exited.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal("saved", (await File.ReadAllTextAsync(dir.File("checkpoint"), TestContext.Current.CancellationToken)).Trim());
        Assert.Equal((0, (int?)null), (exit.ExitCode, exit.Signal));
    }

    private static async Task<string> MakeFifoAsync(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
