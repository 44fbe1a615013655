using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    /// <summary>An attempt ended: judge it, release what it held, then move its step and the steps that need it on.</summary>
    private void OnExited(ActiveAttempt attempt, StepExit exit)
    {
        if (attempt.Ended)
        {
            return;
        }

        attempt.Ended = true;
        attempt.TimeoutTimer?.Dispose();
        NameNodeAtExit(attempt);
        _running.Remove(attempt);
        if (attempt.Node >= 0)
        {
            _ledger.Release(attempt.Node, attempt.Request, attempt.Gpus, Owner(attempt.Step));
        }

        var step = attempt.Step;
        var run = step.Run;
        run.Running--;
        step.Attempt = null;
        var definition = run.Pipeline.Steps[step.Index];
        var (outcome, reason, result) = Judge(attempt, exit, definition);
        _outputsRead.Add(StepOutputs.PathOf(attempt.Launch.WorkingDirectory, attempt.Launch.AttemptId));
        var now = _time.GetUtcNow();
        attempt.Record = attempt.Record with { Outcome = outcome, EndedAt = now, ExitCode = exit.ExitCode, Reason = reason, Result = result };
        _batch.Attempts.Add(attempt.Record);
        _batch.Transitions.Add(new TransitionRecord(run.Record.Id, step.Record.StepId, attempt.Record.Number, AttemptOutcome.Running.Name(), outcome.Name(), reason, now));
        if (attempt.Process is { } process)
        {
            // Disposed once the outcome is in the store (Act): an executor may then drop what would let it tell the outcome again.
            _toDispose.Add(process);
        }

        if (attempt.Item is { } item && step.Map is { } map)
        {
            if (outcome == AttemptOutcome.Succeeded)
            {
                Learn(run, step.Index, (now - attempt.Record.StartedAt).TotalSeconds);
            }

            OnItemExited(attempt, map, item, outcome, reason);
            CheckEnded(run);
            var itemEnd = attempt.Record;
            AttemptEnded?.Invoke(new AttemptEnd(run.Record.Id, run.Pipeline.Name, itemEnd.StepId, itemEnd.Number, itemEnd.Executor, itemEnd.Node, outcome, itemEnd.StartedAt, now, reason, map.States[item] == MapItemState.Retrying));
            return;
        }

        switch (outcome)
        {
            case AttemptOutcome.Succeeded:
                Learn(run, step.Index, (now - attempt.Record.StartedAt).TotalSeconds);
                SetState(step, StepState.Succeeded, reason, s => s with { Result = result });
                Release(step);

                break;
            case AttemptOutcome.Preempted or AttemptOutcome.NeverStarted when !run.CancelRequested:
                MakeReady(step, $"requeued: {reason} (does not use a retry)");
                break;
            case AttemptOutcome.Cancelled:
            case var _ when run.CancelRequested:
                SetState(step, StepState.Cancelled, "run cancelled");
                break;
            default:
                Fail(step, definition, reason);
                break;
        }

        CheckEnded(run);
        var ended = attempt.Record; // told last: the scheduler's own bookkeeping of this exit is done whatever a handler does
        AttemptEnded?.Invoke(new AttemptEnd(run.Record.Id, run.Pipeline.Name, ended.StepId, ended.Number, ended.Executor, ended.Node, outcome, ended.StartedAt, now, reason, step.Record.State == StepState.Retrying));
    }

    /// <summary>How an attempt ended; a success also reads its outputs (<c>$YARD_OUTPUTS</c>), and bad outputs fail it, said in its log too.</summary>
    private static (AttemptOutcome Outcome, string Reason, string? Result) Judge(ActiveAttempt attempt, StepExit exit, StepDefinition definition)
    {
        var (outcome, reason) = JudgeExit(attempt, exit, definition);
        if (outcome != AttemptOutcome.Succeeded)
        {
            return (outcome, reason, null);
        }

        var (result, error) = StepOutputs.Read(StepOutputs.PathOf(attempt.Launch.WorkingDirectory, attempt.Launch.AttemptId));
        if (error is null)
        {
            return (outcome, reason, result);
        }

        try
        {
            File.AppendAllText(attempt.Launch.LogPath, $"yard: exit 0, but {error}{System.Environment.NewLine}");
        }
        catch (IOException)
        {
            // The reason is in the attempt's record either way.
        }

        return (AttemptOutcome.Failed, $"exit 0, but {error}", null);
    }

    private static (AttemptOutcome Outcome, string Reason) JudgeExit(ActiveAttempt attempt, StepExit exit, StepDefinition definition)
    {
        if (attempt.StopReason is { } stopped)
        {
            return (stopped, attempt.Record.Reason ?? stopped.Name());
        }

        if (exit.OomKilled)
        {
            return (AttemptOutcome.OomKilled, exit.Describe() + $" ({Core.Units.ByteSizes.Format(attempt.Request.MemoryBytes)})");
        }

        if (exit.Preempted)
        {
            return (AttemptOutcome.Preempted, $"{exit.Describe()} ({attempt.Process?.Locator ?? attempt.Executor.Name})");
        }

        if (exit.TimedOut)
        {
            var limit = definition.Timeout is { } timeout ? $" ({Core.Units.Durations.Format(timeout)})" : string.Empty;
            return (AttemptOutcome.TimedOut, exit.Describe() + limit);
        }

        if (!exit.Succeeded)
        {
            return (AttemptOutcome.Failed, exit.Describe());
        }

        var missing = definition.Outputs.FirstOrDefault(o => !File.Exists(Path.Combine(attempt.Launch.WorkingDirectory, o)) && !Directory.Exists(Path.Combine(attempt.Launch.WorkingDirectory, o)));
        return missing is null
            ? (AttemptOutcome.Succeeded, "exit 0")
            : (AttemptOutcome.Failed, $"exit 0, but the declared output '{missing}' was not produced");
    }

    /// <summary>A failed attempt: retry after the backoff while retries are left, else fail the step and skip what needs it.</summary>
    private void Fail(ActiveStep step, StepDefinition definition, string reason)
    {
        if (step.Record.RetriesUsed < definition.Retries.Max)
        {
            var retry = step.Record.RetriesUsed + 1;
            var delay = RetryBackoff.Delay(definition.Retries, retry);
            var at = _time.GetUtcNow() + delay;
            SetState(step, StepState.Retrying, $"{reason}; retry {retry} of {definition.Retries.Max} in {Core.Units.Durations.Format(delay)}", s => s with { RetriesUsed = retry, NotBefore = at });
            step.RetryTimer?.Dispose();
            step.RetryTimer = _time.CreateTimer(_ => Post(new JobEvent.RetryDue(step)), null, delay, Timeout.InfiniteTimeSpan);
            return;
        }

        SetState(step, StepState.Failed, definition.Retries.Max == 0 ? reason : $"{reason} (after {definition.Retries.Max} retries)");
        Skip(step);
    }

    /// <summary>
    /// Every step that (transitively) needs <paramref name="failed"/> (a failed or skipped step) and has not started is
    /// skipped; except that a skipped need lets a step whose <c>when:</c> reads a step's <c>state</c> decide for itself.
    /// </summary>
    private void Skip(ActiveStep failed)
    {
        var run = failed.Run;
        var pending = new Stack<int>();
        pending.Push(failed.Index);
        while (pending.Count > 0)
        {
            var cause = run.Steps[pending.Pop()];
            foreach (var d in run.Graph.Dependants(cause.Index))
            {
                var dependant = run.Steps[d];
                if (dependant.Record.State != StepState.Waiting)
                {
                    continue;
                }

                if (cause.Record.State == StepState.Skipped && run.Conditions[d] is { StateSteps.Count: > 0 })
                {
                    // Its condition reads a step's state, so it decides for itself (as a GitHub Actions job whose if: uses a status function).
                    if (--dependant.PendingNeeds == 0 && !run.CancelRequested)
                    {
                        Decide(dependant, $"needs ended ('{cause.Record.StepId}' skipped)");
                    }

                    continue;
                }

                SetState(dependant, StepState.Skipped, $"needs '{cause.Record.StepId}', which {(cause.Record.State == StepState.Skipped ? "was skipped" : cause.Record.State.Name())}");
                pending.Push(d);
            }
        }
    }

    /// <summary>Updates the step's duration estimate (exponentially weighted) from a successful attempt.</summary>
    private void Learn(ActiveRun run, int index, double seconds)
    {
        var previous = run.Predicted[index];
        var estimate = run.HasHistory[index] ? previous + (_options.DurationWeight * (seconds - previous)) : seconds;
        run.Predicted[index] = estimate;
        run.HasHistory[index] = true;
        _batch.Durations.Add((run.Pipeline.Name, run.Pipeline.Steps[index].Id, estimate));
    }

    /// <summary>Ends the run when no step is left to end: cancelled, failed (some step failed or was skipped) or succeeded.</summary>
    private void CheckEnded(ActiveRun run)
    {
        if (run.Record.State.IsTerminal() || run.Running > 0 || run.Unfinished > 0)
        {
            return;
        }

        var failed = run.Steps.FirstOrDefault(s => s.Record.State == StepState.Failed);
        var (state, reason) = run.CancelRequested
            ? (RunState.Cancelled, run.Record.Reason ?? "cancelled")
            : failed is not null
                ? (RunState.Failed, $"step '{failed.Record.StepId}' failed: {failed.Record.Reason}")
                : (RunState.Succeeded, Succeeded(run));
        var now = _time.GetUtcNow();
        _batch.Transitions.Add(new TransitionRecord(run.Record.Id, null, null, run.Record.State.Name(), state.Name(), reason, now));
        run.Record = run.Record with { State = state, EndedAt = now, Reason = state == RunState.Succeeded ? null : reason };
        _batch.Runs.Add(run.Record);
        _ended.Add(run);
        Counts.Ended(state);
        using (_logger.BeginScope(Logging.LogScope.Run(run.Record.Id)))
        {
            Log.RunEnded(_logger, run.Record.Id, run.Pipeline.Name, state, reason);
        }
    }

    private static string Succeeded(ActiveRun run)
    {
        var skipped = run.Steps.Count(s => s.Record.State == StepState.Skipped);
        return skipped == 0 ? $"{run.Steps.Length} steps succeeded" : $"{run.Steps.Length - skipped} steps succeeded, {skipped} skipped (when: false)";
    }

    private bool CancelRun(string runId, string reason)
    {
        if (!_runs.TryGetValue(runId, out var run) || run.Record.State.IsTerminal() || run.CancelRequested)
        {
            return false;
        }

        run.CancelRequested = true;
        run.Record = run.Record with { Reason = reason };
        _batch.Transitions.Add(new TransitionRecord(runId, null, null, RunState.Running.Name(), "cancelling", reason, _time.GetUtcNow()));
        foreach (var step in run.Steps)
        {
            if (step.Map is { } map && !step.Record.State.IsTerminal() && step.Record.State != StepState.Waiting)
            {
                CancelMap(step, map, reason);
            }
            else if (step.Attempt is { } attempt)
            {
                Stop(attempt, AttemptOutcome.Cancelled, reason);
            }
            else if (!step.Record.State.IsTerminal())
            {
                Dequeue(step);
                step.RetryTimer?.Dispose();
                SetState(step, StepState.Cancelled, reason);
            }
        }

        CheckEnded(run);
        return true;
    }
}
