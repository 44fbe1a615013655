using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>Whole runs through a real job host: DAG order, retries, timeouts, failures and retry of ended runs.</summary>
public sealed class JobSchedulerRunTests
{
    [Fact]
    public async Task SubmitAsync_DiamondDag_RunsEachStepOnceAfterItsNeeds()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: diamond
            steps:
              - id: a
                run: echo a >> order
              - id: b
                needs: a
                run: echo b >> order
              - id: c
                needs: [a]
                run: echo c >> order
              - id: d
                needs: [b, c]
                run: echo d >> order
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        var order = WorkFileLines(detail, "order");
        Assert.Equal(4, order.Length);
        Assert.Equal("a", order[0]);
        Assert.Equal(["b", "c"], order[1..3].Order());
        Assert.Equal("d", order[3]);
        Assert.Equal(4, detail.Attempts.Count);
        Assert.All(detail.Steps, s => Assert.Equal((StepState.Succeeded, 1), (s.State, s.Attempts)));
        var a = Assert.Single(Attempts(detail, "a"));
        var d = Assert.Single(Attempts(detail, "d"));
        foreach (var middle in new[] { "b", "c" })
        {
            var m = Assert.Single(Attempts(detail, middle));
            Assert.True(m.StartedAt >= a.EndedAt, $"{middle} started before a ended");
            Assert.True(d.StartedAt >= m.EndedAt, $"d started before {middle} ended");
        }
    }

    [Fact]
    public async Task SubmitAsync_FailsTwiceThenSucceeds_RetriedWithExponentialBackoff()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: flaky
            steps:
              - id: flaky
                run: 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge 3 ]'
                retries: { max: 3, backoff: exponential, initial: 200ms, max_delay: 1s }
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        var step = Step(detail, "flaky");
        Assert.Equal((StepState.Succeeded, 3, 2), (step.State, step.Attempts, step.RetriesUsed));
        var attempts = Attempts(detail, "flaky");
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Failed, AttemptOutcome.Succeeded], attempts.Select(a => a.Outcome));
        Assert.Equal([1, 1, 0], attempts.Select(a => a.ExitCode ?? -1));
        Assert.True(attempts[1].StartedAt - attempts[0].EndedAt!.Value >= TimeSpan.FromMilliseconds(200), $"first retry after {attempts[1].StartedAt - attempts[0].EndedAt}");
        Assert.True(attempts[2].StartedAt - attempts[1].EndedAt!.Value >= TimeSpan.FromMilliseconds(400), $"second retry after {attempts[2].StartedAt - attempts[1].EndedAt}");
    }

    [Fact]
    public async Task SubmitAsync_StepPastItsTimeout_TimedOutAndKilled()
    {
        await using var harness = await StartAsync();
        var started = DateTimeOffset.UtcNow;
        var id = await harness.SubmitAsync("""
            name: slow
            steps:
              - id: slow
                run: sleep 30
                timeout: 1s
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(15), $"took {DateTimeOffset.UtcNow - started}");
        var detail = await harness.DetailAsync(id);
        var step = Step(detail, "slow");
        Assert.Equal(StepState.Failed, step.State);
        Assert.Contains("timed out", step.Reason, StringComparison.Ordinal);
        var attempt = Assert.Single(Attempts(detail, "slow"));
        Assert.Equal(AttemptOutcome.TimedOut, attempt.Outcome);
        Assert.Contains("timed out after 1s", attempt.Reason, StringComparison.Ordinal);
        Assert.Empty(await LiveMembersAfterKillAsync(ProcessGroup(attempt)));
    }

    [Fact]
    public async Task SubmitAsync_CommandNotFound_StepFailsAndDependantsSkipped()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: missing
            steps:
              - id: fetch
                run: yard-no-such-command-here --now
              - id: build
                needs: fetch
                run: echo built > built
              - id: ship
                needs: build
                run: echo shipped > shipped
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("'fetch'", run.Reason, StringComparison.Ordinal);
        Assert.Contains("exit 127 (command not found)", run.Reason, StringComparison.Ordinal);
        var detail = await harness.DetailAsync(id);
        var fetch = Step(detail, "fetch");
        Assert.Equal((StepState.Failed, "exit 127 (command not found)"), (fetch.State, fetch.Reason));
        Assert.Equal(127, Assert.Single(Attempts(detail, "fetch")).ExitCode);
        Assert.Equal(StepState.Skipped, Step(detail, "build").State);
        Assert.Equal(StepState.Skipped, Step(detail, "ship").State);
        Assert.Contains("'fetch'", Step(detail, "build").Reason, StringComparison.Ordinal);
        Assert.Empty(Attempts(detail, "build"));
        Assert.Empty(Attempts(detail, "ship"));
        Assert.False(File.Exists(Path.Combine(detail.Run.WorkingDirectory, "built")));
    }

    [Fact]
    public async Task RetryAsync_FailedRun_RerunsOnlyWhatDidNotSucceed()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: retried
            steps:
              - id: prepare
                run: echo prepared >> prepare.log
              - id: check
                needs: prepare
                run: test -f marker && echo checked >> check.log
              - id: report
                needs: check
                run: echo reported >> report.log
            """);
        var first = await harness.WaitAsync(id);
        Assert.Equal(RunState.Failed, first.State);
        var failed = await harness.DetailAsync(id);
        Assert.Equal(StepState.Failed, Step(failed, "check").State);
        Assert.Equal(StepState.Skipped, Step(failed, "report").State);

        await File.WriteAllTextAsync(Path.Combine(failed.Run.WorkingDirectory, "marker"), "x", Token);
        Assert.Null(await harness.Host.Scheduler.RetryAsync(id, null, Token));
        var second = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, second.State);
        var detail = await harness.DetailAsync(id);
        Assert.All(detail.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        Assert.Equal([1, 2, 1], new[] { "prepare", "check", "report" }.Select(s => Step(detail, s).Attempts));
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Succeeded], Attempts(detail, "check").Select(a => a.Outcome));
        Assert.Single(WorkFileLines(detail, "prepare.log"));
        Assert.Single(WorkFileLines(detail, "check.log"));
        Assert.Single(WorkFileLines(detail, "report.log"));
    }
}
