using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary><c>map:</c> through a real job host with real processes: one attempt per item, retries per item, <c>max_parallel</c>, outputs merged in order.</summary>
public sealed class JobSchedulerMapTests
{
    [Fact]
    public async Task SubmitAsync_MapOverItems_EachItemOnceWithItsIndexAndOutputsMergedInOrder()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: fan
            steps:
              - id: each
                map:
                  items: [small, medium, { model: large, shots: 5 }, tiny]
                run: 'echo "$YARD_ITEM_INDEX $YARD_ITEM" >> seen; printf "{\"index\":%s,\"item\":%s}" "$YARD_ITEM_INDEX" "$(printf %s "$YARD_ITEM" | sed "s/^[a-z]*$/\"&\"/")" > "$YARD_OUTPUTS"'
              - id: after
                needs: each
                when: steps.each.outputs.items[2].item.shots == 5 and steps.each.outputs.items[3].item == 'tiny'
                run: echo after >> seen
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["0 small", "1 medium", "2 {\"model\":\"large\",\"shots\":5}", "3 tiny", "after"], WorkFileLines(detail, "seen").Order(StringComparer.Ordinal));
        var each = Step(detail, "each");
        Assert.Equal((StepState.Succeeded, 4, (int?)4, "4 items succeeded"), (each.State, each.Attempts, each.Items, each.Reason));
        Assert.Equal(
            """{"items":[{"index":0,"item":"small"},{"index":1,"item":"medium"},{"index":2,"item":{"model":"large","shots":5}},{"index":3,"item":"tiny"}]}""",
            each.Result);
        Assert.Equal([0, 1, 2, 3], Attempts(detail, "each").Select(a => a.Item!.Value).Order());
        Assert.All(Attempts(detail, "each"), a => Assert.Equal(AttemptOutcome.Succeeded, a.Outcome));
    }

    [Fact]
    public async Task SubmitAsync_ItemFailsOnce_RetriedAloneAndTheStepSucceeds()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: flaky-items
            steps:
              - id: each
                map: { items: [a, b, c] }
                retries: { max: 2, backoff: constant, initial: 100ms }
                run: 'echo "$YARD_ITEM" >> tried; if [ "$YARD_ITEM" = b ] && [ ! -f b-once ]; then touch b-once; exit 3; fi'
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "b", "b", "c"], WorkFileLines(detail, "tried").Order(StringComparer.Ordinal));
        var b = Attempts(detail, "each").Where(a => a.Item == 1).ToList();
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Succeeded], b.Select(a => a.Outcome));
        Assert.Equal(3, b[0].ExitCode);
        // The backoff is 100 ms from the exit, by the wall clock: a timer that fires early (a clean-clone CI run saw one at 98.4 ms) is re-armed for the rest.
        Assert.True(b[1].StartedAt - b[0].EndedAt!.Value >= TimeSpan.FromMilliseconds(100), $"retried after {b[1].StartedAt - b[0].EndedAt}");
        var each = Step(detail, "each");
        Assert.Equal((StepState.Succeeded, 4, 1), (each.State, each.Attempts, each.RetriesUsed));
        Assert.Contains(await harness.Host.Store.TransitionsAsync(id, Token), t => t.StepId == "each" && t.To == "retrying" && t.Reason == "item 1: retry 1 of 2 in 100ms");
    }

    [Fact]
    public async Task SubmitAsync_ItemFailsForGood_OtherItemsRunTheStepFailsNamingItAndDependantsAreSkipped()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: bad-item
            steps:
              - id: each
                map: { items: [a, b, c, d] }
                retries: 1
                run: 'echo "$YARD_ITEM" >> tried; [ "$YARD_ITEM" != c ]'
              - id: after
                needs: each
                run: echo after >> tried
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "b", "c", "c", "d"], WorkFileLines(detail, "tried").Order(StringComparer.Ordinal));
        var each = Step(detail, "each");
        Assert.Equal((StepState.Failed, "1 of 4 items failed; first item 2: exit 1 (after 1 retries)", (string?)null), (each.State, each.Reason, each.Result));
        Assert.Equal(StepState.Skipped, Step(detail, "after").State);
        Assert.Equal(new MapItemCounts(4, 0, 0, 3, 1, 0), MapItemCounts.Of(4, detail.Attempts.Where(a => a.StepId == "each")));
    }

    [Fact]
    public async Task SubmitAsync_MaxParallel_NoMoreItemsAtOnceThanAllowed()
    {
        await using var harness = await StartAsync(cpuMillis: 8000);
        var id = await harness.SubmitAsync("""
            name: limited
            steps:
              - id: each
                map: { items: [1, 2, 3, 4, 5, 6, 7, 8], max_parallel: 3 }
                resources: { cpu: 100m }
                run: sleep 0.3
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var attempts = Attempts(await harness.DetailAsync(id), "each");
        Assert.Equal(8, attempts.Length);
        // The most attempts whose [placed, ended] intervals overlap: the limit, reached.
        var most = attempts.Max(a => attempts.Count(b => b.StartedAt <= a.StartedAt && b.EndedAt > a.StartedAt));
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task SubmitAsync_MapOverLinesAndFiles_ExpandedWhenTheStepBecomesReady()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: data
            steps:
              - id: prepare
                run: 'printf "{\"q\":1}\n\n{\"q\":2}\n{\"q\":3}\n" > inputs.jsonl; mkdir -p shards/x; touch shards/b.txt shards/a.txt shards/c.csv shards/x/d.txt'
              - id: lines
                needs: prepare
                map: { lines: inputs.jsonl }
                run: 'echo "$YARD_ITEM_INDEX:$YARD_ITEM" >> lines.seen'
              - id: files
                needs: prepare
                map: { files: "shards/**/*.txt" }
                run: 'echo "$YARD_ITEM_INDEX:$YARD_ITEM" >> files.seen'
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["0:{\"q\":1}", "1:{\"q\":2}", "2:{\"q\":3}"], WorkFileLines(detail, "lines.seen").Order(StringComparer.Ordinal));
        Assert.Equal(["0:shards/a.txt", "1:shards/b.txt", "2:shards/x/d.txt"], WorkFileLines(detail, "files.seen").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SubmitAsync_LinesFileMissing_StepFailsNamingItWithoutAttempts()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: missing
            steps:
              - id: each
                map: { lines: nowhere.jsonl }
                run: 'true'
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal((StepState.Failed, "map: the items file 'nowhere.jsonl' does not exist in the run's working directory"), (Step(detail, "each").State, Step(detail, "each").Reason));
        Assert.Empty(detail.Attempts);
    }

    [Fact]
    public async Task SubmitAsync_LinesFileLinkedOutsideTheRun_StepFailsWithoutReadingIt()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: linked
            steps:
              - id: link
                run: ln -s /etc/hostname items.txt
              - id: each
                needs: link
                map: { lines: items.txt }
                run: echo "$YARD_ITEM" >> seen
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal((StepState.Failed, "map: the items file 'items.txt' leads outside the folders a run may use (a symbolic link?)"), (Step(detail, "each").State, Step(detail, "each").Reason));
        Assert.DoesNotContain(detail.Attempts, a => a.StepId == "each");
    }

    [Fact]
    public async Task OpenAsync_SchedulerStoppedMidMap_ItemsReattachedAndEachRunsOnce()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: resume-map
            steps:
              - id: each
                map: { items: [a, b, c, d, e, f], max_parallel: 2 }
                run: 'echo "$YARD_ITEM" >> started; sleep 0.4; echo "$YARD_ITEM" >> done; echo "{\"item\":\"$YARD_ITEM\"}" > "$YARD_OUTPUTS"'
            """);
        await harness.WaitForStartedAsync(id, "each", 3);

        await harness.CloseAsync(); // the items keep running; a new scheduler takes over
        await harness.OpenAsync();
        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], WorkFileLines(detail, "done").Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b", "c", "d", "e", "f"], WorkFileLines(detail, "started").Order(StringComparer.Ordinal));
        Assert.Equal(
            """{"items":[{"item":"a"},{"item":"b"},{"item":"c"},{"item":"d"},{"item":"e"},{"item":"f"}]}""",
            Step(detail, "each").Result);
        // One attempt ran each item. An attempt placed in the instant of the stop, before its process started, is
        // found never started by the new scheduler and its item runs in a new attempt: never twice.
        var attempts = Attempts(detail, "each");
        Assert.Equal([0, 1, 2, 3, 4, 5], attempts.Where(a => a.Outcome == AttemptOutcome.Succeeded).Select(a => a.Item!.Value).Order());
        Assert.All(attempts.Where(a => a.Outcome != AttemptOutcome.Succeeded), a => Assert.Equal(AttemptOutcome.NeverStarted, a.Outcome));
    }

    [Fact]
    public async Task OpenAsync_ItemsFileChangedWhileStopped_TheStepGoesOnWithTheItemsItStartedWith()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: kept-items
            steps:
              - id: prepare
                run: printf "a\nb\nc\nd\n" > items.txt
              - id: each
                needs: prepare
                map: { lines: items.txt, max_parallel: 1 }
                run: 'sleep 0.3; echo "$YARD_ITEM" >> done'
            """);
        await harness.WaitForStartedAsync(id, "each", 2);
        var workingDirectory = (await harness.DetailAsync(id)).Run.WorkingDirectory;

        await harness.CloseAsync();
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "items.txt"), "x\ny\n", Token); // fewer, other items
        await harness.OpenAsync();
        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "b", "c", "d"], WorkFileLines(detail, "done").Order(StringComparer.Ordinal));
        Assert.Equal((StepState.Succeeded, (int?)4), (Step(detail, "each").State, Step(detail, "each").Items));
    }

    [Fact]
    public async Task RetryAsync_MapWithFailedItems_OnlyTheyRunAgainAndTheOutputsMergeInOrder()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: retry-items
            steps:
              - id: each
                map: { items: [a, b, c, d] }
                run: 'echo "$YARD_ITEM" >> tried; if [ "$YARD_ITEM" = b ] || [ "$YARD_ITEM" = d ]; then [ -f fixed ] || exit 3; fi; echo "{\"item\":\"$YARD_ITEM\"}" > "$YARD_OUTPUTS"'
              - id: after
                needs: each
                run: echo after >> tried
            """);
        Assert.Equal(RunState.Failed, (await harness.WaitAsync(id)).State);
        var detail = await harness.DetailAsync(id);
        Assert.StartsWith("2 of 4 items failed; first item ", Step(detail, "each").Reason, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(detail.Run.WorkingDirectory, "fixed"), string.Empty, Token);

        Assert.Null(await harness.Host.Scheduler.RetryAsync(id, null, Token));
        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "after", "b", "b", "c", "d", "d"], WorkFileLines(detail, "tried").Order(StringComparer.Ordinal));
        var each = Step(detail, "each");
        Assert.Equal((StepState.Succeeded, """{"items":[{"item":"a"},{"item":"b"},{"item":"c"},{"item":"d"}]}"""), (each.State, each.Result));
        Assert.Equal([1, 2, 1, 2], Enumerable.Range(0, 4).Select(i => Attempts(detail, "each").Count(a => a.Item == i)));
        Assert.Contains(await harness.Host.Store.TransitionsAsync(id, Token), t => t.StepId == "each" && t.To == "ready" && t.Reason.EndsWith("4 items, 2 succeeded before", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetryAsync_ItemsChangedSinceTheFailure_EveryItemRunsAgain()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: retry-new-items
            steps:
              - id: prepare
                run: '[ -f items.txt ] || printf "a\nb\nc\n" > items.txt'
              - id: each
                needs: prepare
                map: { lines: items.txt }
                run: 'echo "$YARD_ITEM" >> tried; [ "$YARD_ITEM" != b ] || [ -f fixed ]'
            """);
        Assert.Equal(RunState.Failed, (await harness.WaitAsync(id)).State);
        var detail = await harness.DetailAsync(id);
        await File.WriteAllTextAsync(Path.Combine(detail.Run.WorkingDirectory, "items.txt"), "a\nb\nc\nd\n", Token);
        await File.WriteAllTextAsync(Path.Combine(detail.Run.WorkingDirectory, "fixed"), string.Empty, Token);

        Assert.Null(await harness.Host.Scheduler.RetryAsync(id, "each", Token));
        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        detail = await harness.DetailAsync(id);
        Assert.Equal(["a", "a", "b", "b", "c", "c", "d"], WorkFileLines(detail, "tried").Order(StringComparer.Ordinal));
        Assert.Equal((StepState.Succeeded, (int?)4), (Step(detail, "each").State, Step(detail, "each").Items));
    }

    [Fact]
    public async Task CancelAsync_MapRunning_ItemsStoppedAndTheStepCancelled()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: long
            steps:
              - id: each
                map: { items: [1, 2, 3, 4, 5, 6], max_parallel: 2 }
                run: sleep 30
            """);
        await harness.WaitForStartedAsync(id, "each", 1);

        Assert.True(await harness.Host.Scheduler.CancelAsync(id, "enough", Token));
        var run = await harness.WaitAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(RunState.Cancelled, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(StepState.Cancelled, Step(detail, "each").State);
        var attempts = Attempts(detail, "each");
        Assert.InRange(attempts.Length, 1, 2);
        Assert.All(attempts, a => Assert.Equal(AttemptOutcome.Cancelled, a.Outcome));
    }
}
