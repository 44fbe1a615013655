using Yardmaster.Core;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Tests;

/// <summary>
/// What every <see cref="IRunStore"/> adapter must do (SQLite now, PostgreSQL later); each adapter's test class
/// inherits it and says how to open its store.
/// </summary>
public abstract class RunStoreContract
{
    private static readonly DateTimeOffset _t0 = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the store under test; every call opens the same backing store again.</summary>
    protected abstract Task<IRunStore> OpenAsync();

    [Fact]
    public async Task NextRunIdAsync_ManyCalls_UniqueAndNeverReusedAfterReopen()
    {
        var ids = new List<string>();
        await using (var store = await OpenAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add(await store.NextRunIdAsync(Ct));
            }
        }

        await using (var again = await OpenAsync())
        {
            ids.Add(await again.NextRunIdAsync(Ct));
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^r[0-9]+$", id));
    }

    [Fact]
    public async Task WriteAsync_RunStepsAttemptsTransitions_ReadBackAsWritten()
    {
        await using var store = await OpenAsync();
        var (run, steps) = await NewRunAsync(store, "etl", "a", "b");
        var attempt = Attempt(run.Id, "a", 1) with { Gpus = [3, 5], Locator = "pid 42" };
        var batch = new RunStoreBatch();
        batch.Steps.Add(steps[0] with { State = StepState.Running, Attempts = 1, StartedAt = _t0.AddSeconds(1) });
        batch.Attempts.Add(attempt);
        batch.Transitions.Add(new TransitionRecord(run.Id, "a", null, "ready", "running", "attempt 1 placed on local", _t0.AddSeconds(1)));
        await store.WriteAsync(batch, Ct);

        var detail = await store.GetRunAsync(run.Id, Ct);
        Assert.NotNull(detail);
        Assert.Equal(run.Definition, detail.Run.Definition);
        Assert.Equal(PriorityClass.Low, detail.Run.Priority);
        Assert.Equal(["a", "b"], detail.Steps.Select(s => s.StepId));
        Assert.Equal(StepState.Running, detail.Steps[0].State);
        Assert.Equal(_t0.AddSeconds(1), detail.Steps[0].StartedAt);
        var read = Assert.Single(detail.Attempts);
        Assert.Equal([3, 5], read.Gpus);
        Assert.Equal("pid 42", read.Locator);
        Assert.Equal(AttemptOutcome.Running, read.Outcome);
        var transitions = await store.TransitionsAsync(run.Id, Ct);
        Assert.Equal(["running", "running"], transitions.Select(t => t.To));
        Assert.Equal("attempt 1 placed on local", transitions[^1].Reason);
    }

    [Fact]
    public async Task WriteAsync_SameKeysAgain_ReplaceTheRows()
    {
        await using var store = await OpenAsync();
        var (run, steps) = await NewRunAsync(store, "etl", "a");
        var batch = new RunStoreBatch();
        batch.Attempts.Add(Attempt(run.Id, "a", 1));
        await store.WriteAsync(batch, Ct);
        batch.Clear();
        batch.Attempts.Add(Attempt(run.Id, "a", 1) with { Outcome = AttemptOutcome.OomKilled, ExitCode = 137, EndedAt = _t0.AddSeconds(9), Reason = "OOM-killed" });
        batch.Steps.Add(steps[0] with { State = StepState.Failed, Reason = "OOM-killed" });
        batch.Runs.Add(run with { State = RunState.Failed, EndedAt = _t0.AddSeconds(9), Reason = "step 'a' failed" });
        await store.WriteAsync(batch, Ct);

        var detail = (await store.GetRunAsync(run.Id, Ct))!;
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal((AttemptOutcome.OomKilled, 137), (attempt.Outcome, attempt.ExitCode));
        Assert.Equal(StepState.Failed, Assert.Single(detail.Steps).State);
        Assert.Equal(RunState.Failed, detail.Run.State);
        Assert.Equal("step 'a' failed", detail.Run.Reason);
    }

    [Fact]
    public async Task WriteAsync_OutputsItemsAndItemAttempts_ReadBackAsWrittenAndReplaced()
    {
        await using var store = await OpenAsync();
        var (run, steps) = await NewRunAsync(store, "fan", "eval", "each");
        var batch = new RunStoreBatch();
        batch.Steps.Add(steps[0] with { State = StepState.Succeeded, Attempts = 1, Result = """{"score":0.75,"label":"ünïcode ✓"}""" });
        batch.Steps.Add(steps[1] with { State = StepState.Running, Attempts = 2, Items = 10_000 });
        batch.Attempts.Add(Attempt(run.Id, "eval", 1) with { Outcome = AttemptOutcome.Succeeded, Result = """{"score":0.75,"label":"ünïcode ✓"}""" });
        batch.Attempts.Add(Attempt(run.Id, "each", 1) with { Item = 0 });
        batch.Attempts.Add(Attempt(run.Id, "each", 2) with { Item = 9_999 });
        await store.WriteAsync(batch, Ct);
        batch.Clear();
        batch.Attempts.Add(Attempt(run.Id, "each", 1) with { Item = 0, Outcome = AttemptOutcome.Succeeded, Result = """{"n":0}""" });
        batch.Steps.Add(steps[1] with { State = StepState.Succeeded, Attempts = 2, Items = 10_000, Result = """{"items":[{"n":0}]}""" });
        await store.WriteAsync(batch, Ct);

        var detail = (await store.GetRunAsync(run.Id, Ct))!;
        Assert.Equal(("""{"score":0.75,"label":"ünïcode ✓"}""", (int?)null), (detail.Steps[0].Result, detail.Steps[0].Items));
        Assert.Equal(("""{"items":[{"n":0}]}""", (int?)10_000), (detail.Steps[1].Result, detail.Steps[1].Items));
        var attempts = detail.Attempts.OrderBy(a => a.StepId, StringComparer.Ordinal).ThenBy(a => a.Number).ToList();
        Assert.Equal(
            [("each", 1, (int?)0, """{"n":0}"""), ("each", 2, 9_999, null), ("eval", 1, null, """{"score":0.75,"label":"ünïcode ✓"}""")],
            attempts.Select(a => (a.StepId, a.Number, a.Item, a.Result)));
        Assert.Contains(await store.UnfinishedRunsAsync(Ct), d => d.Run.Id == run.Id && d.Steps[1].Items == 10_000 && d.Attempts.Any(a => a.Item == 9_999));
    }

    [Fact]
    public async Task WriteAsync_BatchWithABadRow_WritesNothingOfIt()
    {
        await using var store = await OpenAsync();
        var (run, steps) = await NewRunAsync(store, "etl", "a");
        var batch = new RunStoreBatch();
        batch.Steps.Add(steps[0] with { State = StepState.Running, Attempts = 1 });
        batch.Attempts.Add(Attempt(run.Id, "no-such-step", 1));
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteAsync(batch, Ct));

        var detail = (await store.GetRunAsync(run.Id, Ct))!;
        Assert.Equal(StepState.Waiting, Assert.Single(detail.Steps).State);
        Assert.Empty(detail.Attempts);
    }

    [Fact]
    public async Task UnfinishedRunsAsync_MixedRuns_OnlyRunningOnesOldestFirstWithTheirRows()
    {
        await using var store = await OpenAsync();
        var (first, _) = await NewRunAsync(store, "p", "a");
        var (ended, _) = await NewRunAsync(store, "p", "a");
        var (last, _) = await NewRunAsync(store, "q", "x", "y");
        var batch = new RunStoreBatch();
        batch.Runs.Add(ended with { State = RunState.Succeeded, EndedAt = _t0 });
        await store.WriteAsync(batch, Ct);

        var unfinished = await store.UnfinishedRunsAsync(Ct);
        Assert.Equal([first.Id, last.Id], unfinished.Select(d => d.Run.Id));
        Assert.Equal(2, unfinished[1].Steps.Count);
        Assert.Equal([last.Id, ended.Id, first.Id], (await store.ListRunsAsync(null, 10, Ct)).Select(r => r.Id));
        Assert.Equal([last.Id], (await store.ListRunsAsync("q", 10, Ct)).Select(r => r.Id));
        Assert.Null(await store.GetRunAsync("r999999", Ct));
    }

    [Fact]
    public async Task DurationsAsync_Written_ReadBackPerPipelineAndSurviveReopen()
    {
        await using (var store = await OpenAsync())
        {
            var batch = new RunStoreBatch();
            batch.Durations.Add(("p", "a", 1.5));
            batch.Durations.Add(("p", "b", 20));
            batch.Durations.Add(("other", "a", 7));
            await store.WriteAsync(batch, Ct);
            batch.Clear();
            batch.Durations.Add(("p", "a", 2.5));
            await store.WriteAsync(batch, Ct);
        }

        await using var again = await OpenAsync();
        var durations = await again.DurationsAsync("p", Ct);
        Assert.Equal(2, durations.Count);
        Assert.Equal(2.5, durations["a"]);
        Assert.Equal(20, durations["b"]);
    }

    private static async Task<(RunRecord Run, List<StepRecord> Steps)> NewRunAsync(IRunStore store, string pipeline, params string[] stepIds)
    {
        var id = await store.NextRunIdAsync(Ct);
        var run = new RunRecord
        {
            Id = id,
            Pipeline = pipeline,
            Priority = PriorityClass.Low,
            State = RunState.Running,
            Definition = $"name: {pipeline}\nsteps: []\n",
            SourceFile = pipeline + ".yaml",
            WorkingDirectory = "/tmp/" + id,
            CreatedAt = _t0,
        };
        var steps = stepIds.Select((s, i) => new StepRecord { RunId = id, StepId = s, Index = i, State = StepState.Waiting }).ToList();
        var batch = new RunStoreBatch();
        batch.Runs.Add(run);
        batch.Steps.AddRange(steps);
        batch.Transitions.Add(new TransitionRecord(id, null, null, string.Empty, "running", "submitted", _t0));
        await store.WriteAsync(batch, Ct);
        return (run, steps);
    }

    private static AttemptRecord Attempt(string runId, string stepId, int number) => new()
    {
        RunId = runId,
        StepId = stepId,
        Number = number,
        Outcome = AttemptOutcome.Running,
        Executor = "process",
        Node = "local",
        LogPath = $"/tmp/{runId}/{stepId}.{number}/log",
        StartedAt = _t0.AddSeconds(1),
    };
}
