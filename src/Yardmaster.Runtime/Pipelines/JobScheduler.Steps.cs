using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    private readonly List<ActiveRun> _ended = [];

    /// <summary>The in-memory run for a record and its pipeline; steps from the store when recovering, else new.</summary>
    private ActiveRun Build(RunRecord record, PipelineDefinition pipeline, IReadOnlyDictionary<string, double> durations, IReadOnlyList<StepRecord>? steps)
    {
        var graph = PipelineGraph.Build(pipeline.Steps);
        var run = new ActiveRun(record, pipeline, graph, Interlocked.Increment(ref _sequence));
        var stored = steps?.ToDictionary(s => s.StepId, StringComparer.Ordinal);
        run.Steps = [.. pipeline.Steps.Select((s, i) => new ActiveStep(run, i, stored?.GetValueOrDefault(s.Id) ?? new StepRecord
        {
            RunId = record.Id,
            StepId = s.Id,
            Index = i,
            State = StepState.Waiting,
        }))];
        var fallback = _options.DefaultDuration.TotalSeconds;
        run.Predicted = [.. pipeline.Steps.Select(s => durations.TryGetValue(s.Id, out var d) ? d : fallback)];
        run.HasHistory = [.. pipeline.Steps.Select(s => durations.ContainsKey(s.Id))];
        run.CriticalPath = graph.RemainingCriticalPath(i => run.Predicted[i]);
        run.Conditions = [.. pipeline.Steps.Select(s => s.When is { } text && Core.Pipelines.Conditions.Condition.TryParse(text, out var c, out _) ? c : null)];
        return run;
    }

    /// <summary>Takes a run into the loop: counts pending needs and queues the steps whose needs all succeeded.</summary>
    private void Admit(ActiveRun run, bool created)
    {
        _runs[run.Record.Id] = run;
        Counts.Admitted(run.Steps.Select(s => s.Record.State));
        run.Unfinished = run.Steps.Count(s => !s.Record.State.IsTerminal());
        var now = _time.GetUtcNow();
        if (created)
        {
            _batch.Runs.Add(run.Record);
            _batch.Transitions.Add(new TransitionRecord(run.Record.Id, null, null, string.Empty, RunState.Running.Name(), $"submitted from {run.Record.SourceFile}", now));
        }

        foreach (var step in run.Steps)
        {
            step.PendingNeeds = 0;
            foreach (var need in run.Graph.Needs(step.Index))
            {
                if (run.Steps[need].Record.State != StepState.Succeeded)
                {
                    step.PendingNeeds++;
                }
            }

            if (created)
            {
                _batch.Steps.Add(step.Record);
            }
        }

        foreach (var step in run.Steps)
        {
            if (step.Record.State == StepState.Waiting && step.PendingNeeds == 0)
            {
                Decide(step, step.Run.Graph.Needs(step.Index).Length == 0 ? "no needs" : "needs succeeded");
            }
            else if (step.Record.State == StepState.Ready && Expand(step, resumed: true))
            {
                Enqueue(step);
            }
            else if (step.Record.State == StepState.Running && step.Map is { } map)
            {
                ResumeMap(step, map);
            }
        }

        CheckEnded(run);
    }

    /// <summary>The steps that need <paramref name="step"/> (which succeeded) and wait for nothing else are decided.</summary>
    private void Release(ActiveStep step)
    {
        var run = step.Run;
        foreach (var d in run.Graph.Dependants(step.Index))
        {
            var dependant = run.Steps[d];
            if (--dependant.PendingNeeds == 0 && dependant.Record.State == StepState.Waiting && !run.CancelRequested)
            {
                Decide(dependant, "needs succeeded");
            }
        }
    }

    /// <summary>
    /// A step whose needs have ended: ready, or skipped when its <c>when:</c> does not hold (then what needs it follows
    /// the skip rule of <see cref="Skip"/>). Evaluated here, once, from the stored outputs and states of earlier steps.
    /// </summary>
    private void Decide(ActiveStep step, string reason)
    {
        var run = step.Run;
        if (run.Conditions[step.Index] is not { } condition)
        {
            MakeReady(step, reason);
            return;
        }

        if (condition.Evaluate(id => run.Graph.Index.TryGetValue(id, out var i) ? View(run.Steps[i].Record) : null))
        {
            MakeReady(step, $"{reason}; when: {condition.Text} holds");
            return;
        }

        SetState(step, StepState.Skipped, $"when: {condition.Text} is false");
        Skip(step);
    }

    private static Core.Pipelines.Conditions.StepView View(StepRecord record)
    {
        System.Text.Json.JsonElement? outputs = null;
        if (record.Result is { } json)
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            outputs = document.RootElement.Clone();
        }

        return new(record.State, outputs);
    }

    private void MakeReady(ActiveStep step, string reason)
    {
        if (!Expand(step))
        {
            return;
        }

        var kept = step.Map?.Succeeded ?? 0;
        SetState(step, StepState.Ready, step.Map is { } map ? $"{reason}; {map.Items.Count} items{(kept > 0 ? $", {kept} succeeded before" : string.Empty)}" : reason, s => s with { NotBefore = null, Items = step.Map?.Items.Count });
        if (step.Map is { Done: true } finished)
        {
            FinishMap(step, finished); // a retry whose items had all succeeded before
            return;
        }

        Enqueue(step);
    }

    private void Enqueue(ActiveStep step)
    {
        step.Ready = new ReadyEntry(step, step.Run.Pipeline.Priority, step.Run.CriticalPath[step.Index]);
        _ready.Add(step.Ready);
    }

    private void Dequeue(ActiveStep step)
    {
        if (step.Ready is { } entry)
        {
            _ready.Remove(entry);
            step.Ready = null;
        }
    }

    /// <summary>Writes the step's new state and its transition to the batch.</summary>
    private void SetState(ActiveStep step, StepState to, string reason, Func<StepRecord, StepRecord>? change = null)
    {
        var from = step.Record.State;
        if (!StepStates.IsAllowed(from, to))
        {
            throw new InvalidOperationException($"step '{step.Record.StepId}' of run {step.Run.Record.Id} cannot go from {from.Name()} to {to.Name()}");
        }

        step.Run.Unfinished += (from.IsTerminal() ? 1 : 0) - (to.IsTerminal() ? 1 : 0);
        if (_runs.GetValueOrDefault(step.Run.Record.Id) == step.Run)
        {
            Counts.Moved(from, to); // a run being retried is counted when it is admitted again
        }

        var record = step.Record with { State = to, Reason = reason, EndedAt = to.IsTerminal() ? _time.GetUtcNow() : null };
        step.Record = change is null ? record : change(record);
        _batch.Steps.Add(step.Record);
        _batch.Transitions.Add(new TransitionRecord(step.Run.Record.Id, step.Record.StepId, null, from.Name(), to.Name(), reason, _time.GetUtcNow()));
        LogStepChanged(step, from, to, reason);
    }

    /// <summary>The ledger's name for what a step holds: <c>RUN/STEP</c>.</summary>
    private static string Owner(ActiveStep step) => step.Run.Record.Id + "/" + step.Record.StepId;

    /// <summary>
    /// A placed step: its attempt is written (outcome running) before the executor hears of it. <paramref name="node"/>
    /// -1: handed to an engine that places it itself (no node yet, nothing held on the ledger until it says where).
    /// </summary>
    private void Place(ActiveStep step, int node, Core.Pipelines.ResourceRequest request, ulong gpus, double now)
    {
        int? item = null;
        if (step.Map is { } map)
        {
            item = map.Pending.Min;
            map.Pending.Remove(item.Value);
            map.States[item.Value] = MapItemState.Running;
            if (map.Pending.Count == 0)
            {
                Dequeue(step);
            }
        }
        else
        {
            Dequeue(step);
        }

        var run = step.Run;
        var definition = run.Pipeline.Steps[step.Index];
        var number = step.Record.Attempts + 1;
        var (attemptDirectory, logPath) = AttemptPaths(run, definition.Id, number);
        if (!run.OutputsFolderMade)
        {
            // Once per run and scheduler: a folder made per attempt would cost each step a file system write.
            run.OutputsFolderMade = TryCreateOutputsFolder(run.Record.WorkingDirectory);
        }

        var devices = node < 0 ? [] : _ledger.Nodes[node].GpuIndexes;
        var gpuIndexes = node < 0
            ? [.. Enumerable.Range(0, request.Gpus)] // the engine picks the devices: only their number is asked
            : Enumerable.Range(0, devices.Count).Where(i => (gpus & (1UL << i)) != 0).Select(i => devices[i]).ToList();
        var engine = Engines.Of(definition, run.Pipeline, _options.DefaultExecutor);
        var executor = ExecutorFor(definition, engine);
        var nodeName = node < 0 ? string.Empty : _ledger.Nodes[node].Name;
        var launch = Launch(run, definition, number, attemptDirectory, logPath, request, gpuIndexes, nodeName, item is { } i ? (i, step.Map!.Items[i]) : null);
        var record = new AttemptRecord
        {
            RunId = run.Record.Id,
            StepId = definition.Id,
            Number = number,
            Outcome = AttemptOutcome.Running,
            Executor = executor,
            Node = nodeName,
            Gpus = gpuIndexes,
            LogPath = launch.LogPath,
            StartedAt = _time.GetUtcNow(),
            Item = item,
        };
        var attempt = new ActiveAttempt(step, record, node, request, gpus, launch, _executors.GetValueOrDefault(executor) ?? _executors.Values.First())
        {
            StartedSeconds = now,
            Item = item,
        };
        var where = node < 0 ? $"handed to {engine}, which picks the node" : $"placed on {record.Node}";
        if (step.Map is { } running)
        {
            running.Running.Add(attempt);
            if (step.Record.State == StepState.Running)
            {
                step.Record = step.Record with { Attempts = number };
                _dirtyMaps.Add(step); // written once per turn, not once per item
            }
            else
            {
                SetState(step, StepState.Running, $"{running.Items.Count} items; the first {where}", s => s with { Attempts = number, StartedAt = s.StartedAt ?? record.StartedAt });
            }
        }
        else
        {
            step.Attempt = attempt;
            SetState(step, StepState.Running, $"attempt {number} {where}", s => s with { Attempts = number, StartedAt = s.StartedAt ?? record.StartedAt });
        }

        _batch.Attempts.Add(record);
        _batch.Transitions.Add(new TransitionRecord(run.Record.Id, definition.Id, number, string.Empty, AttemptOutcome.Running.Name(), item is { } n ? $"item {n} {where} ({request})" : $"{where} ({request})", record.StartedAt));
        run.Running++;
        _running.Add(attempt);
        if (!_executors.ContainsKey(executor))
        {
            // Validation keeps container steps out when no engine is configured; a recovered run may still have one.
            Post(new JobEvent.Started(attempt, StepStart.Failed($"no {executor} executor is configured")));
            return;
        }

        _toStart.Add(attempt);
    }

    private static bool TryCreateOutputsFolder(string workingDirectory)
    {
        try
        {
            Directory.CreateDirectory(Path.Combine(workingDirectory, StepOutputs.Folder));
            return true;
        }
        catch (IOException)
        {
            return false; // the attempt fails on its own if it writes there; the working directory check says why
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The executor of a step: the engine's (<c>slurm</c>, <c>kubernetes</c>), or on this machine the one its body needs:
    /// <c>docker</c> for a container, <c>inference</c> for requests, else <c>process</c>.
    /// </summary>
    private static string ExecutorFor(StepDefinition definition, string engine) => engine != Engines.Local ? engine : definition.Kind switch
    {
        StepKind.Container => "docker",
        StepKind.Inference or StepKind.Evaluate => "inference",
        _ => "process",
    };

    /// <summary>
    /// Where attempt <paramref name="number"/> of a step keeps its log (<c>RUNS/r1/logs/step.1.log</c>, in a folder made
    /// at submission) and its executor's bookkeeping (<c>RUNS/r1/attempts/step.1</c>, made by the executor if it needs
    /// one). No folder per attempt is made here: on a slow disk each file or folder created costs a step about 0.7 ms.
    /// </summary>
    private (string AttemptDirectory, string LogPath) AttemptPaths(ActiveRun run, string stepId, int number)
    {
        var runDirectory = Path.Combine(_options.RunsDirectory, run.Record.Id);
        var name = stepId + "." + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (Path.Combine(runDirectory, "attempts", name), Path.Combine(runDirectory, "logs", name + ".log"));
    }

    /// <summary>What the executor is told about attempt <paramref name="number"/> of a step (the same when started and when found again).</summary>
    private static StepLaunch Launch(ActiveRun run, StepDefinition definition, int number, string attemptDirectory, string logPath, Core.Pipelines.ResourceRequest request, IReadOnlyList<int> gpus, string node, (int Index, string Text)? item) => new()
    {
        Node = node,
        TimeLimit = definition.Timeout,
        AttemptId = $"{run.Record.Id}.{definition.Id}.{number}",
        RunId = run.Record.Id,
        StepId = definition.Id,
        Attempt = number,
        Command = definition.Run,
        Container = definition.Container,
        Inference = definition.Inference,
        Evaluate = definition.Evaluate,
        Priority = run.Pipeline.Priority,
        Environment = StepEnvironment(run, definition, $"{run.Record.Id}.{definition.Id}.{number}", item),
        WorkingDirectory = run.Record.WorkingDirectory,
        AttemptDirectory = attemptDirectory,
        LogPath = logPath,
        CpuMillis = request.CpuMillis,
        CpuLimitMillis = definition.CpuLimitMillis ?? 0,
        MemoryBytes = request.MemoryBytes,
        Gpus = gpus,
    };

    /// <summary>The pipeline's variables, the step's over them, and <c>YARD_PIPELINE_DIR</c> (the pipeline file's folder, for scripts kept beside it).</summary>
    private static Dictionary<string, string> StepEnvironment(ActiveRun run, StepDefinition definition, string attemptId, (int Index, string Text)? item)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["YARD_PIPELINE_DIR"] = Path.GetDirectoryName(Path.GetFullPath(run.Record.SourceFile)) ?? string.Empty,
        };
        foreach (var (name, value) in run.Pipeline.Environment)
        {
            environment[name] = value;
        }

        foreach (var (name, value) in definition.Environment)
        {
            environment[name] = value;
        }

        // Last: a step's env cannot move it, since the scheduler reads it from there.
        environment[StepOutputs.Variable] = StepOutputs.PathOf(run.Record.WorkingDirectory, attemptId);
        if (item is { } i)
        {
            environment["YARD_ITEM"] = i.Text;
            environment["YARD_ITEM_INDEX"] = i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return environment;
    }

    private void OnStarted(ActiveAttempt attempt, StepStart result)
    {
        if (result.Process is not { } process)
        {
            OnExited(attempt, new StepExit(null, null, Error: result.Error ?? "did not start"));
            return;
        }

        attempt.Record = attempt.Record with { Locator = process.Locator };
        _batch.Attempts.Add(attempt.Record);
        Watch(attempt, process);
    }

    /// <summary>Asks a running attempt to stop for <paramref name="reason"/>; its end arrives as an exit event.</summary>
    private void Stop(ActiveAttempt attempt, AttemptOutcome reason, string text)
    {
        if (attempt.StopReason is not null || attempt.Ended)
        {
            return;
        }

        attempt.StopReason = reason;
        attempt.Record = attempt.Record with { Reason = text };
        _batch.Transitions.Add(new TransitionRecord(attempt.Record.RunId, attempt.Record.StepId, attempt.Record.Number, AttemptOutcome.Running.Name(), "stopping", text, _time.GetUtcNow()));
        if (attempt.Process is not null)
        {
            _toStop.Add((attempt, _options.StopGrace));
        }
    }
}
