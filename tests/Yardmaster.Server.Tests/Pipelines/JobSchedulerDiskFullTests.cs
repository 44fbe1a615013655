using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.Pipelines;
using Yardmaster.Server.Pipelines;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>The job scheduler on a data folder that fills up (a small tmpfs): what the operator reads in the log, and what callers get.</summary>
public sealed class JobSchedulerDiskFullTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitAsync_DiskFullWhenAStepEnds_WarnsNamingTheErrorKeepsTheExitAndFinishesOnceFreed()
    {
        using var disk = SmallTmpfs.Mount(4 << 20);
        using var signals = new TempDirectory();
        var log = new RecordingLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log));
        await using var host = await OpenAsync(disk, logging);
        var (id, errors) = await host.Scheduler.SubmitAsync($"name: full\nsteps:\n  - id: wait\n    run: while [ ! -e {signals.File("go")} ] && [ -d {signals.Path} ]; do sleep 0.05; done\n  - id: after\n    needs: [wait]\n    run: \"true\"\n", "full.yaml", Ct);
        Assert.Empty(errors);
        await WaitUntilAsync(async () => (await host.Store.GetRunAsync(id!, Ct))!.Attempts.Any(a => a.Locator is not null), "the first step starting");

        disk.Fill();
        await File.WriteAllTextAsync(signals.File("go"), "go", Ct);
        await WaitUntilAsync(() => Task.FromResult(host.Scheduler.StoreFault is not null), "a store write failing");

        var expected = $"the store could not write: disk full at {disk.Path}; free space and retry";
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Writing the turn's transitions to the store failed (1 time(s) in a row)", StringComparison.Ordinal));
        Assert.Equal($"Writing the turn's transitions to the store failed (1 time(s) in a row): {expected}; nothing of the turn is acted on, writing it again in 100 ms", warning.Message);
        var refused = await Assert.ThrowsAsync<StoreWriteException>(() => host.Scheduler.SubmitAsync("name: late\nsteps:\n  - id: a\n    run: \"true\"\n", "late.yaml", Ct));
        Assert.Equal(expected, refused.Message);
        Assert.Equal(StepState.Running, (await host.Store.GetRunAsync(id!, Ct))!.Steps.Single(s => s.StepId == "wait").State);

        disk.Free();
        var run = await host.Scheduler.WaitAsync(id!, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(RunState.Succeeded, run!.State);
        var detail = (await host.Store.GetRunAsync(id!, Ct))!;
        Assert.All(detail.Attempts, a => Assert.Equal((AttemptOutcome.Succeeded, (int?)0), (a.Outcome, a.ExitCode)));
        Assert.Equal(2, detail.Attempts.Count);
        Assert.Null(host.Scheduler.StoreFault);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("The store is writable again after ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelAsync_StoreFailingWhenTheSchedulerStops_SchedulerStoppedAtOnceNotAtTheCallersTimeout()
    {
        using var disk = SmallTmpfs.Mount(4 << 20);
        using var signals = new TempDirectory();
        using var logging = LoggerFactory.Create(_ => { });
        var host = await OpenAsync(disk, logging);
        var disposed = false;
        try
        {
            var (id, _) = await host.Scheduler.SubmitAsync($"name: held\nsteps:\n  - id: wait\n    run: while [ ! -e {signals.File("go")} ] && [ -d {signals.Path} ]; do sleep 0.05; done\n", "held.yaml", Ct);
            await WaitUntilAsync(async () => (await host.Store.GetRunAsync(id!, Ct))!.Attempts.Any(a => a.Locator is not null), "the step starting");
            disk.Fill();

            // The cancellation's turn cannot be written; it waits, as the scheduler retries the write.
            var cancel = host.Scheduler.CancelAsync(id!, "test", Ct);
            await WaitUntilAsync(() => Task.FromResult(host.Scheduler.StoreFault is not null), "the cancellation's write failing");
            Assert.False(cancel.IsCompleted);
            await host.DisposeAsync(); // as when a leader steps down
            disposed = true;

            var stopped = await Assert.ThrowsAsync<SchedulerStoppedException>(() => cancel.WaitAsync(TimeSpan.FromSeconds(10), Ct));
            Assert.StartsWith("the job scheduler stopped before it could confirm the change", stopped.Message, StringComparison.Ordinal);
            var late = await Assert.ThrowsAsync<SchedulerStoppedException>(() => host.Scheduler.CancelAsync(id!, "again", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
            Assert.StartsWith("the job scheduler has stopped", late.Message, StringComparison.Ordinal);
        }
        finally
        {
            disk.Free();
            await File.WriteAllTextAsync(signals.File("go"), "go", Ct); // the step was left running, as on a step-down
            if (!disposed)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A step ends while the store cannot be written, and the scheduler stops before its turn is stored (as at a step-down, or
    /// a close that cancels the write): the next scheduler judges the exit again from the status file, and the step's
    /// <c>$YARD_OUTPUTS</c> must still be there to be read. It was removed when first read, and the run ended with <c>{}</c>.
    /// </summary>
    [Fact]
    public async Task OpenAsync_SchedulerStoppedBeforeAnExitWasStored_TheStepsOutputsAreReadAgain()
    {
        using var disk = SmallTmpfs.Mount(4 << 20);
        using var signals = new TempDirectory();
        using var logging = LoggerFactory.Create(_ => { });
        var host = await OpenAsync(disk, logging);
        string id;
        try
        {
            var (submitted, errors) = await host.Scheduler.SubmitAsync(
                $"name: scored\nsteps:\n  - id: score\n    run: echo '{{\"score\":0.93}}' > \"$YARD_OUTPUTS\"; touch {signals.File("written")}; while [ ! -e {signals.File("go")} ]; do sleep 0.05; done\n",
                "scored.yaml", Ct);
            Assert.Empty(errors);
            id = submitted!;
            await WaitUntilAsync(() => Task.FromResult(File.Exists(signals.File("written"))), "the step writing its outputs");

            disk.Fill();
            await File.WriteAllTextAsync(signals.File("go"), "go", Ct);
            await WaitUntilAsync(() => Task.FromResult(host.Scheduler.StoreFault is not null), "the exit's turn failing to be stored");
        }
        finally
        {
            await host.DisposeAsync();
            disk.Free();
        }

        await using var again = await OpenAsync(disk, logging);
        var run = await again.Scheduler.WaitAsync(id, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(RunState.Succeeded, run!.State);
        var step = (await again.Store.GetRunAsync(id, Ct))!.Steps.Single(s => s.StepId == "score");
        Assert.Equal("""{"score":0.93}""", step.Result);
    }

    /// <summary>A job host on the small disk, stopping steps within a second, without Docker.</summary>
    private static async Task<JobHost> OpenAsync(SmallTmpfs disk, ILoggerFactory logging)
    {
        var config = new YardConfig { Jobs = new JobSettings { StopGrace = TimeSpan.FromSeconds(1), DockerEnabled = false } };
        var (host, error) = await JobHost.OpenAsync(config, disk.Path, null, ClusterEngines.None, logging, TimeProvider.System, Ct);
        Assert.Null(error);
        return host!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{what} did not happen within 30 s");
            await Task.Delay(20, Ct);
        }
    }
}
