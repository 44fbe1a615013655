using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Server.Pipelines;
using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>A scheduler that stops while a step runs, and a new one on the same data folder that takes over.</summary>
public sealed class JobSchedulerRecoveryTests
{
    [Fact]
    public async Task OpenAsync_StepRunningWhenPreviousHostClosed_ReattachesAndRunsItOnce()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: survivor
            steps:
              - id: work
                run: sleep 2; echo done >> file
              - id: after
                needs: work
                run: cat file > copy
            """);
        var before = await harness.WaitForStartedAsync(id, "work");

        await harness.CloseAsync();
        var detailWhileClosed = await ReadClosedAsync(harness, id);
        Assert.Equal(RunState.Running, detailWhileClosed.Run.State);
        Assert.Equal(AttemptOutcome.Running, Assert.Single(Attempts(detailWhileClosed, "work")).Outcome);
        await harness.OpenAsync();
        var run = await harness.WaitAsync(id);

        Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.Reason}");
        var detail = await harness.DetailAsync(id);
        var attempt = Assert.Single(Attempts(detail, "work"));
        Assert.Equal((AttemptOutcome.Succeeded, before.Locator), (attempt.Outcome, attempt.Locator));
        Assert.Equal(1, Step(detail, "work").Attempts);
        Assert.Equal(["done"], WorkFileLines(detail, "file"));
        Assert.Equal(["done"], WorkFileLines(detail, "copy"));
        Assert.Contains(await harness.Host.Store.TransitionsAsync(id, Token), t => t.StepId == "after" && t.To == StepState.Succeeded.Name());
    }

    [Fact]
    public async Task OpenAsync_StepEndedWhileNoHostWasOpen_RecordsItsOutcomeWithoutRunningItAgain()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: finished-alone
            steps:
              - id: work
                run: sleep 1; echo done >> file; exit 3
            """);
        await harness.WaitForStartedAsync(id, "work");
        var file = Path.Combine((await harness.DetailAsync(id)).Run.WorkingDirectory, "file");

        await harness.CloseAsync();
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while (!File.Exists(file))
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        await harness.OpenAsync();
        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var detail = await harness.DetailAsync(id);
        var attempt = Assert.Single(Attempts(detail, "work"));
        Assert.Equal((AttemptOutcome.Failed, 3), (attempt.Outcome, attempt.ExitCode));
        Assert.Equal(["done"], WorkFileLines(detail, "file"));
    }

    private static async Task<Core.Runs.RunDetail> ReadClosedAsync(JobHarness harness, string id)
    {
        // The store is closed with the host; read the file with a store of our own.
        await using var store = await Storage.Sqlite.SqliteRunStore.OpenAsync(Path.Combine(harness.DataDirectory, "yard.db"), TimeProvider.System, Token);
        var detail = await store.GetRunAsync(id, Token);
        Assert.NotNull(detail);
        return detail;
    }

    [Fact]
    public async Task OpenAsync_SecondSchedulerOnTheSameDataFolder_RefusedNamingTheFolder()
    {
        await using var harness = await JobHarness.StartAsync();
        var (second, error) = await JobHost.OpenAsync(harness.Config, harness.DataDirectory, null, ClusterEngines.None, NullLoggerFactory.Instance, TimeProvider.System, JobHarness.Token);

        Assert.Null(second);
        Assert.Contains(harness.DataDirectory, error, StringComparison.Ordinal);
        Assert.Contains("--server", error, StringComparison.Ordinal);
    }
}
