using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Placement;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var reader = _events.Reader;
        // Replies to callers (a submission, a retry, a cancellation) wait until the turn's batch is durable,
        // so a caller reading the store next sees what it asked for.
        var pending = new List<Action>();
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var e))
            {
                try
                {
                    Handle(e, pending);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.EventFailed(_logger, e.GetType().Name, ex);
                }
            }

            Schedule();
            FlushMapSteps();
            await WriteTurnAsync(cancellationToken);
            _batch.Clear();
            foreach (var reply in pending)
            {
                reply();
            }

            pending.Clear();
            Act();
            Finish();
        }
    }

    /// <summary>
    /// Writes the turn's batch, again and again with a doubling delay until it is durable (a full disk, a store
    /// that went away): nothing of the turn is acted on and no later event is handled before, so events queue
    /// behind it in order and none is lost. Meanwhile <see cref="StoreFault"/> says why, and callers are refused.
    /// </summary>
    private async Task WriteTurnAsync(CancellationToken cancellationToken)
    {
        var delay = _options.StoreRetryDelay;
        for (var failures = 0; ; failures++)
        {
            try
            {
                await _store.WriteAsync(_batch, cancellationToken);
                if (failures > 0)
                {
                    _storeFault = null;
                    Log.StoreWritable(_logger, failures);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StoreFailed(_logger, failures + 1, ex.Message, (long)delay.TotalMilliseconds, ex);
                _storeFault = ex;
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.StoreRetryMaxDelay.Ticks));
            }
        }
    }

    private void Handle(JobEvent e, List<Action> pending)
    {
        switch (e)
        {
            case JobEvent.Submitted submitted:
                Admit(submitted.Run, created: true);
                pending.Add(() => submitted.Written.TrySetResult(true));
                break;
            case JobEvent.Started started:
                OnStarted(started.Attempt, started.Result);
                break;
            case JobEvent.Reattached reattached:
                Watch(reattached.Attempt, reattached.Process);
                break;
            case JobEvent.Placed placed:
                OnPlaced(placed.Attempt, placed.Node);
                break;
            case JobEvent.Exited exited:
                OnExited(exited.Attempt, exited.Exit);
                break;
            case JobEvent.TimedOut timedOut when !timedOut.Attempt.Ended && timedOut.Attempt.StopReason is null:
                Stop(timedOut.Attempt, AttemptOutcome.TimedOut, $"timed out after {Core.Units.Durations.Format(timedOut.Attempt.Step.Run.Pipeline.Steps[timedOut.Attempt.Step.Index].Timeout!.Value)}");
                break;
            case JobEvent.RetryDue due when due.Step.Record.State == StepState.Retrying:
                OnRetryDue(due.Step);
                break;
            case JobEvent.ItemRetryDue due:
                OnItemRetryDue(due.Step, due.Item);
                break;
            case JobEvent.Cancel cancel:
                var cancelled = CancelRun(cancel.RunId, cancel.Reason);
                pending.Add(() => cancel.Done.TrySetResult(cancelled));
                break;
            case JobEvent.Retry retry:
                var refused = RetryRun(retry.Run, retry.StepId);
                pending.Add(() => retry.Done.TrySetResult(refused));
                break;
        }
    }

    /// <summary>
    /// A retry timer fired. Timers run on a coarser clock than the wall clock the delay was recorded in
    /// (<see cref="Core.Runs.StepRecord.NotBefore"/>) and may fire up to a millisecond early: wait out the rest.
    /// </summary>
    private void OnRetryDue(ActiveStep step)
    {
        var left = step.Record.NotBefore is { } at ? at - _time.GetUtcNow() : TimeSpan.Zero;
        if (left > TimeSpan.Zero)
        {
            step.RetryTimer?.Dispose();
            step.RetryTimer = _time.CreateTimer(_ => Post(new JobEvent.RetryDue(step)), null, TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
            return;
        }

        MakeReady(step, "retry delay over");
    }

    /// <summary>The steps holding resources on the ledger, as the pass sees them, keyed by their index in <see cref="_running"/>.</summary>
    private List<RunningStep> Running()
    {
        var running = new List<RunningStep>(_running.Count);
        for (var i = 0; i < _running.Count; i++)
        {
            var a = _running[i];
            if (a.Node < 0)
            {
                continue; // queued at an engine that places it: holds nothing on the ledger yet
            }

            var definition = a.Step.Run.Pipeline.Steps[a.Step.Index];
            running.Add(new RunningStep(i, a.Node, a.Step.Run.Pipeline.Priority, a.Request, a.StartedSeconds,
                a.StartedSeconds + a.Step.Run.Predicted[a.Step.Index], definition.PreemptibleIn(a.Step.Run.Pipeline.Priority), a.Gpus, a.StopReason is not null));
        }

        return running;
    }

    /// <summary>
    /// Gives serving back the memory it claims (<see cref="Ledger.ResourceLedger.Claim"/>): stops the steps <see cref="SchedulingPass.Reclaim"/>
    /// names, gracefully; they are requeued without using a retry and placed again when memory frees up.
    /// </summary>
    private void Reclaim()
    {
        if (!_ledger.HasClaims || _running.Count == 0)
        {
            return;
        }

        var (claims, nodes) = _ledger.Claims();
        foreach (var (victim, claim) in SchedulingPass.Reclaim(claims, nodes, Running()))
        {
            var c = claims[claim];
            Stop(_running[victim], AttemptOutcome.Preempted, $"preempted for serving: {c.Owner} needs {Core.Units.ByteSizes.Format(c.Bytes)} for {c.Priority.ToString().ToLowerInvariant()} requests");
        }
    }

    /// <summary>One scheduling pass over the ready set; placed steps get an attempt record now and start in <see cref="Act"/>.</summary>
    private void Schedule()
    {
        Reclaim();
        HandOff();
        if (_ready.Count == 0 || _running.Count >= _options.MaxRunning)
        {
            return;
        }

        var now = Seconds;
        var nodes = _ledger.Snapshot();
        if (!WorthAPass(nodes))
        {
            return;
        }

        var entries = _ready.ToList();
        // A map step offers the pass as many places as it has items to start (its max_parallel and max_running allowing).
        var keys = new List<int>(entries.Count);
        // max_parallel holds for a pipeline over all its runs (as Airflow's max_active_tasks per DAG): one group per pipeline name.
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var slots = new List<int>();
        var ready = new List<ReadyStep>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var step = entries[i].Step;
            if (EngineQueued(step))
            {
                continue; // handed to its engine by HandOff when its queue has room, never placed here
            }

            var pipeline = step.Run.Pipeline.Name;
            if (!groups.TryGetValue(pipeline, out var group))
            {
                group = groups[pipeline] = slots.Count;
                slots.Add(step.Run.Pipeline.MaxParallel is { } max ? Math.Max(0, max - _running.Count(a => a.Step.Run.Pipeline.Name == pipeline)) : int.MaxValue);
            }

            var definition = step.Run.Pipeline.Steps[step.Index];
            var engine = Engines.Index(Engines.Of(definition, step.Run.Pipeline, _options.DefaultExecutor));
            var offers = step.Map is { } map ? ItemsToOffer(map, definition, Math.Min(slots[group], _options.MaxRunning - _running.Count)) : 1;
            for (var o = 0; o < offers; o++)
            {
                ready.Add(new ReadyStep(keys.Count, step.Run.Pipeline.Priority, definition.Resources, step.Run.Predicted[step.Index], group, engine, definition.PreemptibleIn(step.Run.Pipeline.Priority)));
                keys.Add(i);
            }
        }

        var running = Running();
        var plan = _pass.Plan(ready, nodes, running, new PassLimits(_options.MaxRunning - _running.Count, [.. slots]), now);
        foreach (var victim in plan.Preemptions)
        {
            var attempt = _running[victim];
            var blocked = plan.Reserved is { } key ? entries[keys[key]].Step : null;
            Stop(attempt, AttemptOutcome.Preempted, blocked is null ? "preempted" : $"preempted for '{blocked.Record.StepId}' of run {blocked.Run.Record.Id} ({blocked.Run.Pipeline.Priority.ToString().ToLowerInvariant()})");
        }

        foreach (var (key, node, gpus) in plan.Starts)
        {
            var step = entries[keys[key]].Step;
            if (step.Map is { Pending.Count: 0 })
            {
                continue; // offered more places than it had items (cannot be: offers are counted), or cancelled meanwhile
            }

            var definition = step.Run.Pipeline.Steps[step.Index];
            var request = definition.Resources;
            if (!_ledger.TryReserve(node, request, gpus, Owner(step), definition.PreemptibleIn(step.Run.Pipeline.Priority)))
            {
                continue; // The model manager took memory since the snapshot; the next pass places it again.
            }

            Place(step, node, request, gpus, now);
        }
    }

    /// <summary>
    /// False when the pass cannot decide anything: no node has room for the smallest ready step, and no ready
    /// step outranks a running one it could preempt. Keeps a full node from costing a pass per event.
    /// </summary>
    private bool WorthAPass(NodeResources[] nodes)
    {
        var top = _ready.Min!.Priority;
        foreach (var a in _running)
        {
            if (a.Step.Run.Pipeline.Priority > top && a.StopReason is null && a.Node >= 0) // one still queued at its engine cannot be preempted here
            {
                return true;
            }
        }

        long cpu = long.MaxValue, memory = long.MaxValue;
        var gpus = int.MaxValue;
        foreach (var entry in _ready)
        {
            if (EngineQueued(entry.Step))
            {
                continue;
            }

            var request = entry.Step.Run.Pipeline.Steps[entry.Step.Index].Resources;
            cpu = Math.Min(cpu, request.CpuMillis);
            memory = Math.Min(memory, request.MemoryBytes);
            gpus = Math.Min(gpus, request.Gpus);
        }

        if (cpu == long.MaxValue)
        {
            return false; // every ready step waits for its engine's queue
        }

        var smallest = new Core.Pipelines.ResourceRequest(cpu, memory, gpus);
        foreach (var node in nodes)
        {
            if (node.Fits(smallest))
            {
                return true;
            }
        }

        return false;
    }

    private void Act()
    {
        foreach (var attempt in _toStart)
        {
            // Off the loop: a spawn blocks until the child has exec'd, and two spawns may overlap on two cores.
            _ = Task.Run(() => StartAttemptAsync(attempt));
        }

        _toStart.Clear();
        foreach (var (attempt, grace) in _toStop)
        {
            if (attempt.Process is { } process)
            {
                _ = StopProcessAsync(process, grace);
            }
        }

        _toStop.Clear();
        foreach (var process in _toDispose)
        {
            _ = process.DisposeAsync().AsTask();
        }

        _toDispose.Clear();
        RemoveOutputsRead();
    }

    /// <summary>
    /// Removes the outputs files of the attempts whose outcomes were just stored. Not before: a scheduler stopped between
    /// judging an exit and storing it judges the exit again after a restart, and must find the outputs again.
    /// </summary>
    private void RemoveOutputsRead()
    {
        foreach (var path in _outputsRead)
        {
            StepOutputs.Remove(path);
        }

        _outputsRead.Clear();
    }

    private async Task StartAttemptAsync(ActiveAttempt attempt)
    {
        StepStart result;
        try
        {
            // Checked again here, not only at submission: a folder of the run may have become a symbolic link since.
            var run = attempt.Step.Run;
            result = PipelinePaths.CheckAttempt(run.Pipeline.Steps[attempt.Step.Index], attempt.Launch.WorkingDirectory, RunRoots(run)) is { } refused
                ? StepStart.Failed(refused)
                : await attempt.Executor.StartAsync(attempt.Launch, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = StepStart.Failed($"the {attempt.Executor.Name} executor failed: {ex.Message}");
        }

        Post(new JobEvent.Started(attempt, result));
    }

    private async Task StopProcessAsync(IStepProcess process, TimeSpan grace)
    {
        try
        {
            await process.StopAsync(grace, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StopFailed(_logger, process.Locator, ex);
        }
    }

    private void Watch(ActiveAttempt attempt, IStepProcess process)
    {
        attempt.Process = process;
        if (attempt.Node < 0 && process is IPlacedProcess placed)
        {
            placed.Placed.ContinueWith(t => Post(new JobEvent.Placed(attempt, t.Result)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        process.Exited.ContinueWith(t => Post(new JobEvent.Exited(attempt, t.Result)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (attempt.StopReason is not null)
        {
            _toStop.Add((attempt, _options.StopGrace));
        }
        else if (attempt.Node >= 0)
        {
            ArmTimeout(attempt, attempt.Record.StartedAt);
        }
    }

    /// <summary>
    /// Stops the attempt at its step's timeout, counted from <paramref name="since"/>: when it was placed, or for one an
    /// engine queued, when the engine started it (time in the engine's queue is not the step's).
    /// </summary>
    private void ArmTimeout(ActiveAttempt attempt, DateTimeOffset since)
    {
        if (attempt.Step.Run.Pipeline.Steps[attempt.Step.Index].Timeout is { } timeout && attempt.TimeoutTimer is null)
        {
            var left = timeout - (_time.GetUtcNow() - since);
            attempt.TimeoutTimer = _time.CreateTimer(_ => Post(new JobEvent.TimedOut(attempt)), null, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Completes the waiters of runs that ended this turn, after their end is durable.</summary>
    private void Finish()
    {
        foreach (var run in _ended)
        {
            _runs.Remove(run.Record.Id);
            Counts.Removed(run.Steps.Select(s => s.Record.State));
            List<TaskCompletionSource<RunRecord>>? waiters;
            lock (_waitersLock)
            {
                _waiters.Remove(run.Record.Id, out waiters);
            }

            foreach (var waiter in waiters ?? [])
            {
                waiter.TrySetResult(run.Record);
            }
        }

        _ended.Clear();
    }

    /// <summary>The folders a run's paths may lead into (checked again when an attempt starts, or a map reads its items file).</summary>
    private List<string> RunRoots(ActiveRun run) =>
        PipelinePaths.Roots(new PipelineEnvironment { AllowedDirectories = _options.AllowedDirectories, SourceFolderAllowed = _options.SourceFolderAllowed }, run.Record.SourceFile, Path.Combine(_options.RunsDirectory, run.Record.Id));
}
