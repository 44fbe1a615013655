using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    /// <summary>The engine a step runs on, as <c>executor:</c> names it.</summary>
    private string EngineOf(ActiveStep step) => Engines.Of(step.Run.Pipeline.Steps[step.Index], step.Run.Pipeline, _options.DefaultExecutor);

    /// <summary>True when the step's engine queues and places work itself (<see cref="JobSchedulerOptions.EngineQueues"/>).</summary>
    private bool EngineQueued(ActiveStep step) => _options.EngineQueues.Count > 0 && _options.EngineQueues.ContainsKey(EngineOf(step));

    /// <summary>
    /// Hands the ready steps of engines that queue and place work themselves (Slurm with <c>placement: slurm</c>) to
    /// their engine at once, in the ready set's order (class, then longest remaining path), while the engine holds fewer
    /// attempts of ours than its limit and the pipeline's <c>max_parallel</c> and <c>max_running</c> allow. The engine
    /// then queues them (by the class's <c>--nice</c>) and starts each where and when it has room, as it does its own
    /// users' jobs; the ledger holds a step's share once the engine says where it started (<see cref="OnPlaced"/>).
    /// Holding them back here instead costs, on Slurm, a scheduling cycle per step: Slurm starts a job queued before a
    /// node frees the moment it frees, one submitted after only at its next pass.
    /// </summary>
    private void HandOff()
    {
        if (_options.EngineQueues.Count == 0 || _ready.Count == 0)
        {
            return;
        }

        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        var perPipeline = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in _running)
        {
            held[a.Executor.Name] = held.GetValueOrDefault(a.Executor.Name) + 1;
            perPipeline[a.Step.Run.Pipeline.Name] = perPipeline.GetValueOrDefault(a.Step.Run.Pipeline.Name) + 1;
        }

        var chosen = new List<ActiveStep>();
        foreach (var entry in _ready)
        {
            if (_running.Count + chosen.Count >= _options.MaxRunning)
            {
                break;
            }

            var step = entry.Step;
            var engine = EngineOf(step);
            var pipeline = step.Run.Pipeline;
            // A map step hands over as many items as it has waiting (within its max_parallel), not one per turn.
            var times = step.Map is { } map ? ItemsToOffer(map, pipeline.Steps[step.Index], int.MaxValue) : 1;
            for (var t = 0; t < times && _running.Count + chosen.Count < _options.MaxRunning; t++)
            {
                if (!_options.EngineQueues.TryGetValue(engine, out var limit) || held.GetValueOrDefault(engine) >= limit
                    || (pipeline.MaxParallel is { } max && perPipeline.GetValueOrDefault(pipeline.Name) >= max))
                {
                    break;
                }

                held[engine] = held.GetValueOrDefault(engine) + 1;
                perPipeline[pipeline.Name] = perPipeline.GetValueOrDefault(pipeline.Name) + 1;
                chosen.Add(step);
            }
        }

        var now = Seconds;
        foreach (var step in chosen)
        {
            if (step.Map is not { Pending.Count: 0 })
            {
                Place(step, node: -1, step.Run.Pipeline.Steps[step.Index].Resources, gpus: 0, now);
            }
        }
    }

    /// <summary>
    /// An attempt handed to an engine that ends before its placement was handled (the job ran and ended between two polls,
    /// and the two events raced): its record still names the node the engine ran it on.
    /// </summary>
    private static void NameNodeAtExit(ActiveAttempt attempt)
    {
        if (attempt.Node < 0 && attempt.Record.Node.Length == 0 && attempt.Process is IPlacedProcess { Placed.IsCompletedSuccessfully: true } placed)
        {
            attempt.Record = attempt.Record with { Node = placed.Placed.Result, Locator = attempt.Process.Locator };
        }
    }

    /// <summary>
    /// The engine started a handed-off attempt on <paramref name="nodeName"/>: the ledger holds its share there (over the
    /// node's capacity if need be: the engine ran it, so it is there), and the attempt's record names the node.
    /// </summary>
    private void OnPlaced(ActiveAttempt attempt, string nodeName)
    {
        if (attempt.Ended || attempt.Node >= 0)
        {
            return;
        }

        var node = -1;
        for (var i = 0; i < _ledger.Nodes.Count; i++)
        {
            if (_ledger.Nodes[i].Name == nodeName)
            {
                node = i;
                break;
            }
        }

        if (node >= 0)
        {
            // Slurm does not say which devices it gave: the ledger holds the node's lowest free ones.
            var gpus = _ledger.Snapshot()[node].Take(new ResourceRequest(0, 0, attempt.Request.Gpus));

            attempt.Node = node;
            attempt.Gpus = gpus;
            _ledger.Hold(node, attempt.Request, gpus, Owner(attempt.Step));
        }

        // A node the ledger does not know (added to the cluster after start): named in the record, held nowhere.
        attempt.Record = attempt.Record with { Node = nodeName, Locator = attempt.Process?.Locator ?? attempt.Record.Locator };
        if (attempt.StopReason is null)
        {
            ArmTimeout(attempt, _time.GetUtcNow());
        }

        _batch.Attempts.Add(attempt.Record);
        _batch.Transitions.Add(new TransitionRecord(attempt.Record.RunId, attempt.Record.StepId, attempt.Record.Number, AttemptOutcome.Running.Name(), AttemptOutcome.Running.Name(), $"started by {attempt.Executor.Name} on {nodeName}", _time.GetUtcNow()));
    }
}
