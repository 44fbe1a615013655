using System.Text;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.Paths;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    /// <summary>Map steps whose row changed this turn without a state change (an item started): written once, at the end of the turn.</summary>
    private readonly HashSet<ActiveStep> _dirtyMaps = [];

    /// <summary>
    /// Expands a <c>map:</c> step's items when it becomes ready (from the run's working directory as it is then) and keeps
    /// them (<see cref="MapSnapshot"/>); <paramref name="resumed"/> (after a restart) takes the kept items instead. On a
    /// retry that finds the same items as the last expansion, with no step upstream run again (a file of the same name may
    /// hold new data then), the items that succeeded before are not run again. False when the items cannot be read: the
    /// step has failed (no retry: its items are not there) and what needs it is skipped.
    /// </summary>
    private bool Expand(ActiveStep step, bool resumed = false)
    {
        if (step.Map is not null || step.Run.Pipeline.Steps[step.Index].Map is not { } spec)
        {
            return true;
        }

        var run = step.Run;
        var snapshot = MapSnapshot.PathOf(_options.RunsDirectory, run.Record.Id, step.Record.StepId);
        var kept = resumed || run.EarlierAttempts is not null ? MapSnapshot.Read(snapshot) : null;
        if (resumed && kept is { } saved)
        {
            step.Map = new MapProgress(saved.Items);
            return true;
        }

        var workingDirectory = run.Record.WorkingDirectory;
        // The items file is read by the scheduler itself: like an inference step's input, it must not lead out of the run's folders.
        var (items, error) = spec.Lines is { } lines && ConfinedPaths.Within(lines, RunRoots(run), workingDirectory) is null
            ? (null, $"map: the items file '{lines}' leads outside the folders a run may use (a symbolic link?)")
            : MapItems.Expand(spec, workingDirectory);
        if (items is null)
        {
            Dequeue(step);
            SetState(step, StepState.Failed, error!);
            Skip(step);
            return false;
        }

        var map = new MapProgress(items);
        if (!resumed && kept is { } earlier && run.EarlierAttempts is { } attempts && run.KeepItemsOf?.Contains(step.Index) == true
            && earlier.Items.SequenceEqual(items, StringComparer.Ordinal))
        {
            // The same items as the expansion these attempts ran, and nothing upstream ran again: what succeeded then stands.
            foreach (var done in attempts.Where(a => a.StepId == step.Record.StepId && a.Number >= earlier.FirstAttempt && a.Outcome == AttemptOutcome.Succeeded && a.Item is { } i && i < items.Count))
            {
                if (map.States[done.Item!.Value] != MapItemState.Succeeded)
                {
                    map.Succeed(done.Item.Value, done.Result);
                }
            }
        }
        else if (!resumed && MapSnapshot.Write(snapshot, step.Record.Attempts + 1, items) is { } notKept)
        {
            Log.MapSnapshotFailed(_logger, step.Record.StepId, notKept);
        }

        step.Map = map;
        return true;
    }

    /// <summary>How many places a map step asks of this pass: its items waiting, within its <c>max_parallel</c> and <paramref name="room"/>.</summary>
    private static int ItemsToOffer(MapProgress map, StepDefinition definition, int room)
    {
        var parallel = (definition.Map?.MaxParallel ?? int.MaxValue) - map.Running.Count;
        return Math.Max(0, Math.Min(Math.Min(map.Pending.Count, parallel), room));
    }

    /// <summary>An item's attempt ended: the item succeeded, waits for a retry, is requeued, or failed; the step ends with its last item.</summary>
    private void OnItemExited(ActiveAttempt attempt, MapProgress map, int item, AttemptOutcome outcome, string reason)
    {
        var step = attempt.Step;
        var run = step.Run;
        var definition = run.Pipeline.Steps[step.Index];
        map.Running.Remove(attempt);
        switch (outcome)
        {
            case AttemptOutcome.Succeeded:
                map.Succeed(item, attempt.Record.Result);
                break;
            case AttemptOutcome.Preempted or AttemptOutcome.NeverStarted when !run.CancelRequested:
                map.States[item] = MapItemState.Pending;
                map.Pending.Add(item);
                break;
            case AttemptOutcome.Cancelled:
            case var _ when run.CancelRequested:
                map.States[item] = MapItemState.Cancelled;
                break;
            case var _ when map.RetriesUsed[item] < definition.Retries.Max:
                var retry = ++map.RetriesUsed[item];
                var delay = RetryBackoff.Delay(definition.Retries, retry);
                map.States[item] = MapItemState.Retrying;
                map.RetryAt[item] = _time.GetUtcNow() + delay;
                map.Retrying[item] = _time.CreateTimer(_ => Post(new JobEvent.ItemRetryDue(step, item)), null, delay, Timeout.InfiniteTimeSpan);
                step.Record = step.Record with { RetriesUsed = step.Record.RetriesUsed + 1 };
                _dirtyMaps.Add(step);
                _batch.Transitions.Add(new TransitionRecord(run.Record.Id, step.Record.StepId, attempt.Record.Number, outcome.Name(), StepState.Retrying.Name(),
                    $"item {item}: retry {retry} of {definition.Retries.Max} in {Core.Units.Durations.Format(delay)}", _time.GetUtcNow()));
                break;
            default:
                map.States[item] = MapItemState.Failed;
                map.Failed++;
                map.FirstFailure ??= definition.Retries.Max == 0 ? $"item {item}: {reason}" : $"item {item}: {reason} (after {definition.Retries.Max} retries)";
                break;
        }

        if (map.Pending.Count > 0 && step.Ready is null && !run.CancelRequested)
        {
            Enqueue(step);
        }

        FinishMap(step, map);
    }

    private void OnItemRetryDue(ActiveStep step, int item)
    {
        if (step.Map is not { } map || !map.Retrying.Remove(item, out var timer))
        {
            return;
        }

        timer.Dispose();
        // As for a step's retry (OnRetryDue): a timer on the coarser clock may fire up to a millisecond early; wait out the rest.
        var left = map.RetryAt.TryGetValue(item, out var at) ? at - _time.GetUtcNow() : TimeSpan.Zero;
        if (left > TimeSpan.Zero)
        {
            map.Retrying[item] = _time.CreateTimer(_ => Post(new JobEvent.ItemRetryDue(step, item)), null, TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
            return;
        }

        map.RetryAt.Remove(item);
        map.States[item] = MapItemState.Pending;
        map.Pending.Add(item);
        if (step.Ready is null)
        {
            Enqueue(step);
        }
    }

    /// <summary>Ends a map step once none of its items runs or waits: cancelled, failed (naming the first item that failed), or succeeded with the items' outputs merged in order.</summary>
    private void FinishMap(ActiveStep step, MapProgress map)
    {
        if (!map.Done || step.Record.State.IsTerminal())
        {
            return;
        }

        Dequeue(step);
        _dirtyMaps.Remove(step);
        var total = map.Items.Count;
        if (step.Run.CancelRequested)
        {
            SetState(step, StepState.Cancelled, step.Run.Record.Reason ?? "run cancelled");
        }
        else if (map.Failed > 0)
        {
            SetState(step, StepState.Failed, $"{map.Failed} of {total} items failed; first {map.FirstFailure}");
            Skip(step);
        }
        else
        {
            SetState(step, StepState.Succeeded, $"{total} items succeeded", s => s with { Result = Merged(map) });
            Release(step);
        }
    }

    /// <summary><c>{"items": [...]}</c>: each item's outputs object, in item order.</summary>
    private static string Merged(MapProgress map)
    {
        var json = new StringBuilder(16 + (map.Results.Length * 3));
        json.Append("{\"items\":[");
        for (var i = 0; i < map.Results.Length; i++)
        {
            json.Append(i == 0 ? string.Empty : ",").Append(map.Results[i] ?? "{}");
        }

        return json.Append("]}").ToString();
    }

    /// <summary>Stops a cancelled run's map step: its running items are stopped, waiting ones dropped; it ends when the last stops.</summary>
    private void CancelMap(ActiveStep step, MapProgress map, string reason)
    {
        Dequeue(step);
        map.Pending.Clear();
        foreach (var timer in map.Retrying.Values)
        {
            timer.Dispose();
        }

        map.Retrying.Clear();
        map.RetryAt.Clear();
        foreach (var attempt in map.Running)
        {
            Stop(attempt, AttemptOutcome.Cancelled, reason);
        }

        FinishMap(step, map);
    }

    /// <summary>A map step taken back after a restart: its items' places in the ready set, or its end when nothing is left.</summary>
    private void ResumeMap(ActiveStep step, MapProgress map)
    {
        if (map.Pending.Count > 0 && step.Ready is null)
        {
            Enqueue(step);
        }

        FinishMap(step, map);
    }

    /// <summary>Adds the rows of map steps that changed this turn (attempt counts, retries) to the batch.</summary>
    private void FlushMapSteps()
    {
        foreach (var step in _dirtyMaps)
        {
            _batch.Steps.Add(step.Record);
        }

        _dirtyMaps.Clear();
    }
}
