using System.Text.Json;
using Yardmaster.Core.Pipelines;
using static Yardmaster.Server.Tests.Pipelines.JobHarness;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>Step outputs (<c>$YARD_OUTPUTS</c>) and <c>when:</c> through a real job host with real processes.</summary>
public sealed class JobSchedulerConditionTests
{
    [Fact]
    public async Task SubmitAsync_StepWritesOutputs_StoredWithTheStepAndItsAttempt()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: outputs
            steps:
              - id: eval
                run: 'printf "{\"score\": 0.5, \"model\": \"small\", \"path\": \"%s\"}" "$YARD_OUTPUTS" > "$YARD_OUTPUTS"'
              - id: quiet
                run: 'true'
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        var eval = JsonDocument.Parse(Step(detail, "eval").Result!).RootElement;
        Assert.Equal(0.5, eval.GetProperty("score").GetDouble());
        Assert.Equal("small", eval.GetProperty("model").GetString());
        Assert.Equal(Step(detail, "eval").Result, Assert.Single(Attempts(detail, "eval")).Result);
        var path = eval.GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(detail.Run.WorkingDirectory, ".yard-outputs") + "/", path, StringComparison.Ordinal);
        Assert.False(File.Exists(path), "the outputs file is removed once read");
        Assert.Equal("{}", Step(detail, "quiet").Result);
    }

    [Theory]
    [InlineData("echo 'not json' > \"$YARD_OUTPUTS\"", "$YARD_OUTPUTS is not valid JSON")]
    [InlineData("echo '[1, 2]' > \"$YARD_OUTPUTS\"", "$YARD_OUTPUTS must hold a JSON object, e.g. {\"score\": 0.93}; found a array")]
    [InlineData("head -c 70000 /dev/zero | tr '\\\\0' x > \"$YARD_OUTPUTS\"", "$YARD_OUTPUTS holds 70000 bytes; at most 65536 (64 KiB) are read")]
    public async Task SubmitAsync_BadOutputs_AttemptFailsWithTheReasonInItsLog(string command, string reason)
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync($$"""
            name: bad-outputs
            steps:
              - id: eval
                run: '{{command.Replace("'", "''", StringComparison.Ordinal)}}'
              - id: after
                needs: eval
                run: 'true'
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        var detail = await harness.DetailAsync(id);
        var attempt = Assert.Single(Attempts(detail, "eval"));
        Assert.Equal((AttemptOutcome.Failed, 0), (attempt.Outcome, attempt.ExitCode));
        Assert.StartsWith("exit 0, but " + reason, attempt.Reason, StringComparison.Ordinal);
        Assert.Null(Step(detail, "eval").Result);
        Assert.Contains("yard: exit 0, but " + reason, await File.ReadAllTextAsync(attempt.LogPath, Token), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, Step(detail, "after").State);
    }

    [Fact]
    public async Task SubmitAsync_WhenOverOutputs_FalseSkipsTheStepAndWhatNeedsItWhileTheRunSucceeds()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: decide
            steps:
              - id: eval
                run: echo '{"score":0.91,"model":"medium"}' > "$YARD_OUTPUTS"
              - id: retrain
                needs: eval
                when: steps.eval.outputs.score < 0.8
                run: echo retrain >> ran
              - id: deploy
                needs: retrain
                run: echo deploy >> ran
              - id: promote
                needs: eval
                when: steps.eval.outputs.score >= 0.8 and steps.eval.outputs.model == 'medium'
                run: echo promote >> ran
              - id: report
                needs: [retrain, promote]
                when: steps.retrain.state == 'skipped' or steps.retrain.state == 'succeeded'
                run: echo report >> ran
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal("3 steps succeeded, 2 skipped (when: false)", run.Reason ?? await ReasonAsync(harness, id));
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["promote", "report"], WorkFileLines(detail, "ran").Order());
        Assert.Equal((StepState.Skipped, "when: steps.eval.outputs.score < 0.8 is false"), (Step(detail, "retrain").State, Step(detail, "retrain").Reason));
        Assert.Equal((StepState.Skipped, "needs 'retrain', which was skipped"), (Step(detail, "deploy").State, Step(detail, "deploy").Reason));
        Assert.Empty(Attempts(detail, "retrain"));
        Assert.Empty(Attempts(detail, "deploy"));
        Assert.Equal(StepState.Succeeded, Step(detail, "report").State);
    }

    [Fact]
    public async Task SubmitAsync_WhenTrue_StepRunsAfterItsNeeds()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: retrain
            steps:
              - id: eval
                run: echo '{"score":0.5}' > "$YARD_OUTPUTS"
              - id: retrain
                needs: eval
                when: steps.eval.outputs.score < 0.8
                run: echo retrain >> ran
              - id: unknown-key
                needs: eval
                when: steps.eval.outputs.missing > 0
                run: echo unknown >> ran
            """);

        var run = await harness.WaitAsync(id);

        Assert.Equal(RunState.Succeeded, run.State);
        var detail = await harness.DetailAsync(id);
        Assert.Equal(["retrain"], WorkFileLines(detail, "ran"));
        Assert.Equal("needs succeeded; when: steps.eval.outputs.score < 0.8 holds", (await harness.Host.Store.TransitionsAsync(id, Token)).First(t => t.StepId == "retrain" && t.To == "ready").Reason);
        Assert.Equal(StepState.Skipped, Step(detail, "unknown-key").State);
    }

    [Fact]
    public async Task RetryAsync_SkippedByWhen_DecidedAgainFromTheNewOutputs()
    {
        await using var harness = await StartAsync();
        var id = await harness.SubmitAsync("""
            name: again
            steps:
              - id: eval
                run: 'if [ -f second ]; then echo "{\"score\": 0.1}" > "$YARD_OUTPUTS"; exit 0; fi; touch second; echo "{\"score\": 0.9}" > "$YARD_OUTPUTS"; exit 0'
              - id: check
                needs: eval
                run: '[ -f allow ]'
              - id: retrain
                needs: [eval, check]
                when: steps.eval.outputs.score < 0.8
                run: echo retrain >> ran
            """);
        Assert.Equal(RunState.Failed, (await harness.WaitAsync(id)).State);
        var detail = await harness.DetailAsync(id);
        await File.WriteAllTextAsync(Path.Combine(detail.Run.WorkingDirectory, "allow"), string.Empty, Token);

        Assert.Null(await harness.Host.Scheduler.RetryAsync(id, null, Token));
        var run = await harness.WaitAsync(id);

        // eval succeeded once and is not run again: its first outputs (0.9) decide.
        Assert.Equal(RunState.Succeeded, run.State);
        detail = await harness.DetailAsync(id);
        Assert.Equal(StepState.Skipped, Step(detail, "retrain").State);
        Assert.Single(Attempts(detail, "eval"));
    }

    private static async Task<string?> ReasonAsync(JobHarness harness, string id) =>
        (await harness.Host.Store.TransitionsAsync(id, Token)).Last(t => t.StepId is null).Reason;
}
