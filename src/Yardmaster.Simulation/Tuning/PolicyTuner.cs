using System.Diagnostics;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tuning;

/// <summary>
/// <c>yard tune</c>'s search: coordinate descent over the scheduler parameters of <see cref="TuneCandidate"/>, each
/// candidate scored by simulating the trace (<see cref="LlmWorkload"/>, the server's own passes) under several draws of
/// the task split (seeds), starting from the configuration as it is, moving to the best neighbour along one parameter at
/// a time while one is better, until none is or the budget is spent. Deterministic for its inputs (the budget aside).
/// </summary>
internal static class PolicyTuner
{
    /// <param name="trace">The requests.</param>
    /// <param name="config">The configuration to improve (null: the server's defaults).</param>
    /// <param name="objective">What to maximize.</param>
    /// <param name="load">The load the trace is replayed at.</param>
    /// <param name="seeds">Draws of the task split each candidate is simulated under.</param>
    /// <param name="budget">Wall time after which the search stops with the best so far.</param>
    /// <param name="space">The values tried (default <see cref="TuneSpace.Full"/>; <c>scheduler.adapt.bounds</c> narrow it).</param>
    public static TuneResult Tune(IReadOnlyList<TraceRequest> trace, YardConfig? config, TuneObjective objective, double load, int seeds, TimeSpan budget, TuneSpace? space = null)
    {
        space ??= TuneSpace.Full;
        var stopwatch = Stopwatch.StartNew();
        var workloads = Enumerable.Range(0, seeds).Select(s => new LlmWorkload(trace, config, (ulong)s)).ToList();
        var baseSettings = workloads[0].Scheduler;
        var classes = workloads[0].Tasks.GroupBy(t => t.Priority).SelectMany(g => g.Select(t => (t.Name, Count: g.Count()))).ToDictionary(t => t.Name, t => t.Count, StringComparer.Ordinal);
        var fit = workloads[0].Models.ToDictionary(m => m.Model.Name, m => MostReplicas(m.Model, workloads[0].Devices), StringComparer.Ordinal);
        var seen = new Dictionary<TuneCandidate, TuneEvaluation>();
        TuneEvaluation Evaluate(TuneCandidate candidate)
        {
            if (!seen.TryGetValue(candidate, out var evaluation))
            {
                evaluation = Score(workloads, candidate, candidate.Apply(baseSettings), objective, load);
                seen[candidate] = evaluation;
            }

            return evaluation;
        }

        var current = Evaluate(TuneCandidate.From(baseSettings, space.Registry ? TuneKnobs.From(workloads[0]) : null));
        var best = current;
        var complete = false;
        while (stopwatch.Elapsed < budget)
        {
            var improved = false;
            foreach (var neighbour in Neighbours(best.Candidate, space, classes, fit))
            {
                if (stopwatch.Elapsed >= budget)
                {
                    break;
                }

                var evaluation = Evaluate(neighbour);
                if (evaluation.Mean > best.Mean + 1e-9)
                {
                    best = evaluation;
                    improved = true;
                }
            }

            if (!improved)
            {
                complete = stopwatch.Elapsed < budget;
                break;
            }
        }

        return new TuneResult(current, best, seen.Count, stopwatch.Elapsed, complete);
    }

    /// <summary>The candidates that differ from <paramref name="c"/> in one parameter.</summary>
    private static IEnumerable<TuneCandidate> Neighbours(TuneCandidate c, TuneSpace space, IReadOnlyDictionary<string, int> classes, IReadOnlyDictionary<string, int> fit)
    {
        foreach (var q in space.Queues.Where(q => q != c.Queue))
        {
            yield return c with { Queue = q };
        }

        foreach (var w in space.BatchWaits.Where(w => w != c.BatchWait))
        {
            yield return c with { BatchWait = w };
        }

        foreach (var w in space.LowWaits.Where(w => w != c.LowWait))
        {
            yield return c with { LowWait = w };
        }

        foreach (var w in space.DefaultWaits.Where(w => w != c.DefaultWait))
        {
            yield return c with { DefaultWait = w };
        }

        foreach (var m in space.MaxQueues.Where(m => m != c.MaxQueue))
        {
            yield return c with { MaxQueue = m };
        }

        foreach (var e in space.Evictions.Where(e => e != c.Eviction))
        {
            yield return c with { Eviction = e };
        }

        foreach (var knobs in KnobNeighbours(c.Knobs, classes, fit))
        {
            yield return c with { Knobs = knobs };
        }
    }

    /// <summary>
    /// The knobs that differ from <paramref name="knobs"/> in one value: the weight of a task that shares its class with
    /// another (halved, doubled), a model's keep-alive (when it has replicas that may unload idle), its replicas' minimum
    /// and maximum (one less, one more; never more than its devices' memory holds, <paramref name="fit"/>).
    /// </summary>
    private static IEnumerable<TuneKnobs> KnobNeighbours(TuneKnobs knobs, IReadOnlyDictionary<string, int> classes, IReadOnlyDictionary<string, int> fit)
    {
        for (var i = 0; i < knobs.Tasks.Count; i++)
        {
            var task = knobs.Tasks[i];
            if (!classes.TryGetValue(task.Name, out var shared) || shared < 2)
            {
                continue; // alone in its class: its weight changes nothing
            }

            foreach (var weight in new[] { task.Weight / 2, task.Weight * 2 }.Where(w => w >= TuneSpace.Weights.Min && w <= TuneSpace.Weights.Max))
            {
                yield return knobs with { Tasks = [.. knobs.Tasks.Select((t, j) => j == i ? t with { Weight = weight } : t)] };
            }
        }

        for (var i = 0; i < knobs.Models.Count; i++)
        {
            var model = knobs.Models[i];
            TuneKnobs With(ModelKnob changed) => knobs with { Models = [.. knobs.Models.Select((m, j) => j == i ? changed : m)] };
            if (model.ReplicasMin < model.ReplicasMax)
            {
                foreach (var keepAlive in TuneSpace.KeepAlives.Where(k => k != model.KeepAlive))
                {
                    yield return With(model with { KeepAlive = keepAlive });
                }
            }

            if (model.ReplicasMin > 0)
            {
                yield return With(model with { ReplicasMin = model.ReplicasMin - 1 });
            }

            if (model.ReplicasMin < model.ReplicasMax)
            {
                yield return With(model with { ReplicasMin = model.ReplicasMin + 1 });
            }

            if (model.ReplicasMax > Math.Max(1, model.ReplicasMin))
            {
                yield return With(model with { ReplicasMax = model.ReplicasMax - 1 });
            }

            if (model.ReplicasMax < Math.Min(TuneSpace.MaxReplicas, fit.GetValueOrDefault(model.Name, TuneSpace.MaxReplicas)))
            {
                yield return With(model with { ReplicasMax = model.ReplicasMax + 1 });
            }
        }
    }

    /// <summary>How many replicas of <paramref name="model"/> its devices' budgets hold at once (a replica more could never load).</summary>
    private static int MostReplicas(ModelDefinition model, DeviceSettings devices)
    {
        if (model.Memory is not { } bytes || bytes <= 0)
        {
            return TuneSpace.MaxReplicas;
        }

        var most = model.Device == DeviceKind.Cpu ? devices.CpuMemory / bytes : devices.Gpus.Sum(g => g.Memory / bytes);
        return (int)Math.Clamp(most, 1, TuneSpace.MaxReplicas);
    }

    private static TuneEvaluation Score(List<LlmWorkload> workloads, TuneCandidate candidate, SchedulerSettings settings, TuneObjective objective, double load)
    {
        var scores = new List<double>(workloads.Count);
        var attainment = new Dictionary<string, double>(StringComparer.Ordinal);
        var goodput = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var workload in workloads)
        {
            var policy = new SimPolicies("tune", settings.Queue, settings.Eviction, settings.Routing, Admission: true, EnginePreemption: true);
            var (results, duration) = workload.Simulate(policy, load, settings, candidate.Knobs);
            var run = results.Build("tune", [], duration);
            scores.Add(TuneScore.Of(run, objective, workload.Tasks));
            foreach (var task in run.Tasks)
            {
                attainment[task.Task] = attainment.GetValueOrDefault(task.Task) + ((task.SloAttainment ?? 0) / workloads.Count);
                goodput[task.Task] = goodput.GetValueOrDefault(task.Task) + (task.Goodput / workloads.Count);
            }
        }

        return new TuneEvaluation(candidate, scores, attainment, goodput);
    }
}
