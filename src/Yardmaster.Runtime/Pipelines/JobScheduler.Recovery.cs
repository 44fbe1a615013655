using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    /// <summary>
    /// Takes over every unfinished run of the store: rebuilds it from its stored definition and steps, and for
    /// each attempt still marked running asks its executor to find it. Found: it is watched again (and holds its
    /// resources again). Not found: <see cref="AttemptOutcome.NeverStarted"/> when the executor never reported it
    /// started (requeued without using a retry), else <see cref="AttemptOutcome.Lost"/> (the retry policy applies).
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var detail in await _store.UnfinishedRunsAsync(cancellationToken))
        {
            var loaded = PipelineLoader.LoadText(detail.Run.Definition, detail.Run.SourceFile, Environment);
            if (loaded.Pipeline is not { } pipeline)
            {
                var reason = "after a restart the pipeline no longer validates: " + string.Join("; ", loaded.Errors.Select(e => e.ToString()));
                _batch.Runs.Add(detail.Run with { State = RunState.Failed, EndedAt = _time.GetUtcNow(), Reason = reason });
                _batch.Transitions.Add(new TransitionRecord(detail.Run.Id, null, null, RunState.Running.Name(), RunState.Failed.Name(), reason, _time.GetUtcNow()));
                continue;
            }

            var run = Build(detail.Run, pipeline, await _store.DurationsAsync(pipeline.Name, cancellationToken), detail.Steps);
            var attempts = new List<(ActiveAttempt Attempt, IStepProcess? Process, string? Error)>();
            foreach (var step in run.Steps.Where(s => s.Record.State == StepState.Running))
            {
                if (pipeline.Steps[step.Index].Map is not null)
                {
                    foreach (var running in RebuildMap(step, detail.Attempts))
                    {
                        var item = Resume(step, running);
                        try
                        {
                            attempts.Add((item, await item.Executor.ReattachAsync(item.Launch, cancellationToken), null));
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            attempts.Add((item, null, $"could not look for it: {ex.Message}"));
                        }
                    }

                    continue;
                }

                var record = detail.Attempts.LastOrDefault(a => a.StepId == step.Record.StepId && a.Number == step.Record.Attempts);
                if (record is null)
                {
                    // Placed, but the attempt row is missing: cannot be, since both are in one batch. Run it again.
                    SetState(step, StepState.Ready, "recovered without an attempt record");
                    continue;
                }

                var attempt = Resume(step, record);
                try
                {
                    attempts.Add((attempt, await attempt.Executor.ReattachAsync(attempt.Launch, cancellationToken), null));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    attempts.Add((attempt, null, $"could not look for it: {ex.Message}"));
                }
            }

            Admit(run, created: false);
            foreach (var (attempt, process, error) in attempts)
            {
                if (process is not null)
                {
                    using (StepScope(attempt.Step))
                    {
                        Log.Reattached(_logger, attempt.Launch.AttemptId, process.Locator);
                    }

                    Watch(attempt, process);
                }
                else if (attempt.Record.Locator is null && error is null)
                {
                    attempt.StopReason = AttemptOutcome.NeverStarted;
                    attempt.Record = attempt.Record with { Reason = "the scheduler stopped before the attempt started" };
                    OnExited(attempt, new StepExit(null, null));
                }
                else
                {
                    attempt.StopReason = AttemptOutcome.Lost;
                    attempt.Record = attempt.Record with { Reason = error ?? $"{attempt.Record.Locator} was gone after the scheduler restarted, with no recorded outcome" };
                    OnExited(attempt, new StepExit(null, null));
                }
            }
        }

        FlushMapSteps();
        await _store.WriteAsync(_batch, cancellationToken);
        _batch.Clear();
        foreach (var attempt in _toStop.Select(s => s.Attempt).ToList())
        {
            _ = StopProcessAsync(attempt.Process!, _options.StopGrace);
        }

        _toStop.Clear();
        foreach (var process in _toDispose)
        {
            await process.DisposeAsync();
        }

        _toDispose.Clear();
        RemoveOutputsRead();
        Finish();
    }

    /// <summary>
    /// An attempt of a recovered step, holding its resources again on its node (even over the node's capacity: it runs
    /// there). One handed to an engine that had not said where it started holds nothing until the engine says so.
    /// </summary>
    private ActiveAttempt Resume(ActiveStep step, AttemptRecord record)
    {
        var run = step.Run;
        var definition = run.Pipeline.Steps[step.Index];
        var node = _ledger.Nodes.ToList().FindIndex(n => n.Name == record.Node);
        if (node < 0 && (record.Node.Length > 0 || !EngineQueued(step)))
        {
            node = 0; // a node no longer configured: counted on this machine's, as before the engine came in
        }

        var devices = node < 0 ? [] : _ledger.Nodes[node].GpuIndexes;
        var gpus = record.Gpus.Select(i => devices.ToList().IndexOf(i)).Where(bit => bit >= 0).Aggregate(0UL, (mask, bit) => mask | (1UL << bit));
        var (attemptDirectory, _) = AttemptPaths(run, definition.Id, record.Number);
        var launch = Launch(run, definition, record.Number, attemptDirectory, record.LogPath, definition.Resources, record.Gpus, record.Node,
            record.Item is { } i && step.Map is { } map ? (i, map.Items[i]) : null);
        if (node >= 0)
        {
            _ledger.Hold(node, definition.Resources, gpus, Owner(step));
        }

        var attempt = new ActiveAttempt(step, record, node, definition.Resources, gpus, launch, _executors.GetValueOrDefault(record.Executor) ?? _executors.Values.First())
        {
            StartedSeconds = Seconds - (_time.GetUtcNow() - record.StartedAt).TotalSeconds,
            Item = step.Map is null ? null : record.Item,
        };
        if (step.Map is { } items)
        {
            items.Running.Add(attempt);
        }
        else
        {
            step.Attempt = attempt;
        }

        run.Running++;
        _running.Add(attempt);
        return attempt;
    }

    /// <summary>
    /// The items of a running map step after a restart, from its attempts: succeeded ones keep their outputs, failed ones
    /// with no retry left stay failed, the others wait for a place again (a retry delay is not waited out twice). Returns
    /// the attempts still marked running, to be found again. The items are those kept when the step was expanded
    /// (<see cref="MapSnapshot"/>); a run from before snapshots reads them again, and fails the step if their number changed.
    /// </summary>
    private List<AttemptRecord> RebuildMap(ActiveStep step, IReadOnlyList<AttemptRecord> attempts)
    {
        if (!Expand(step, resumed: true))
        {
            return [];
        }

        var map = step.Map!;
        if (step.Record.Items is { } before && before != map.Items.Count)
        {
            step.Map = null;
            SetState(step, StepState.Failed, $"map: {map.Items.Count} items after a restart, {before} before: the items changed while no scheduler ran");
            Skip(step);
            return [];
        }

        var definition = step.Run.Pipeline.Steps[step.Index];
        var running = new List<AttemptRecord>();
        foreach (var tries in attempts.Where(a => a.StepId == step.Record.StepId && a.Item is { } i && i < map.Items.Count).GroupBy(a => a.Item!.Value))
        {
            var item = tries.Key;
            var latest = tries.MaxBy(a => a.Number)!;
            var failures = tries.Count(a => a.Outcome.UsesRetry());
            map.RetriesUsed[item] = Math.Min(failures, definition.Retries.Max);
            switch (latest.Outcome)
            {
                case AttemptOutcome.Succeeded:
                    map.Succeed(item, latest.Result);
                    break;
                case AttemptOutcome.Running:
                    map.Pending.Remove(item);
                    map.States[item] = MapItemState.Running;
                    running.Add(latest);
                    break;
                case var o when o.UsesRetry() && failures > definition.Retries.Max:
                    map.Pending.Remove(item);
                    map.States[item] = MapItemState.Failed;
                    map.Failed++;
                    map.FirstFailure ??= $"item {item}: {latest.Reason}";
                    break;
            }
        }

        return running;
    }

    /// <summary>Every step <paramref name="step"/> needs, directly or not.</summary>
    private static HashSet<int> Upstream(PipelineGraph graph, int step)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>(graph.Needs(step).ToArray());
        while (pending.TryPop(out var i))
        {
            if (seen.Add(i))
            {
                foreach (var n in graph.Needs(i))
                {
                    pending.Push(n);
                }
            }
        }

        return seen;
    }

    /// <summary>Puts the failed, cancelled and skipped steps of an ended run (or one step and what it skipped) back to waiting and takes the run in again.</summary>
    private string? RetryRun(ActiveRun run, string? stepId)
    {
        var runId = run.Record.Id;
        if (_runs.ContainsKey(runId))
        {
            return $"run {runId} is still running";
        }

        static bool Retryable(ActiveStep s) => s.Record.State is StepState.Failed or StepState.Cancelled or StepState.Skipped;
        List<ActiveStep> targets;
        if (stepId is null)
        {
            targets = [.. run.Steps.Where(Retryable)];
            if (targets.Count == 0)
            {
                return $"run {runId} has no failed, cancelled or skipped step";
            }
        }
        else
        {
            if (!run.Graph.Index.TryGetValue(stepId, out var index))
            {
                return $"run {runId} has no step '{stepId}'";
            }

            if (!Retryable(run.Steps[index]))
            {
                return $"step '{stepId}' {run.Steps[index].Record.State.Name()}; only failed, cancelled or skipped steps are retried";
            }

            // The step and every step downstream of it that did not succeed.
            targets = [];
            var pending = new Stack<int>([index]);
            var seen = new HashSet<int>();
            while (pending.Count > 0)
            {
                var i = pending.Pop();
                if (seen.Add(i) && Retryable(run.Steps[i]))
                {
                    targets.Add(run.Steps[i]);
                    foreach (var d in run.Graph.Dependants(i))
                    {
                        pending.Push(d);
                    }
                }
            }
        }

        var now = _time.GetUtcNow();
        _batch.Transitions.Add(new TransitionRecord(runId, null, null, run.Record.State.Name(), RunState.Running.Name(), stepId is null ? "retry" : $"retry of step '{stepId}'", now));
        run.Record = run.Record with { State = RunState.Running, EndedAt = null, Reason = null };
        _batch.Runs.Add(run.Record);
        foreach (var step in targets)
        {
            SetState(step, StepState.Waiting, "retry requested", s => s with { RetriesUsed = 0, NotBefore = null });
        }

        // A map step keeps its items that succeeded unless a step upstream of it runs again (its inputs may change).
        var again = targets.Select(s => s.Index).ToHashSet();
        run.KeepItemsOf = [.. targets.Where(s => run.Pipeline.Steps[s.Index].Map is not null && !Upstream(run.Graph, s.Index).Any(again.Contains)).Select(s => s.Index)];

        Admit(run, created: false);
        return null;
    }
}
