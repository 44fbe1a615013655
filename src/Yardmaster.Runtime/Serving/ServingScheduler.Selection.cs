using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Units;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Chooses among the task's candidates with the pure <see cref="ModelSelection"/> policy (soonest
    /// predicted start, then cheapest, then declared order: idle and loaded beats loaded and busy beats not
    /// loaded). When none can serve now but one could once memory frees up, the request waits for it
    /// (bounded by <see cref="SchedulerSettings.LoadWait"/>); when none could ever fit, it is refused.
    /// </summary>
    private (ModelEntry? Model, TimeSpan PredictedWait, Refusal? Refusal) Select(RequestTicket ticket, DateTimeOffset now, TraceBuilder trace)
    {
        var entries = new List<ModelEntry>(ticket.Task.Models.Count);
        var candidates = new List<CandidateSnapshot>(ticket.Task.Models.Count);
        var unavailable = new List<CandidateVerdict>();
        foreach (var name in ticket.Task.Models)
        {
            if (_models.TryGetValue(name, out var model) && !model.Removed && !ticket.ExcludedModels.Contains(name))
            {
                entries.Add(model);
                candidates.Add(Candidate(model, ticket.Priority, now));
            }
            else
            {
                unavailable.Add(new CandidateVerdict(name, false, null, ticket.ExcludedModels.Contains(name) ? "not chosen: it failed on an earlier attempt" : "not chosen: not a configured model"));
            }
        }

        if (entries.Count == 0)
        {
            trace.Candidates = unavailable;
            return (null, default, new Refusal(503, "no_capacity", $"task '{ticket.Task.Name}' cannot be served now: none of its models is available", TimeSpan.FromSeconds(5)));
        }

        var choice = ModelSelection.Choose(candidates);
        var verdicts = ModelSelection.Explain(candidates, choice).ToList();
        trace.Candidates = [.. verdicts, .. unavailable];
        if (choice.Chosen)
        {
            trace.Model = entries[choice.Index].Definition.Name;
            trace.Reason = verdicts[choice.Index].Reason[(verdicts[choice.Index].Reason.LastIndexOf("chosen: ", StringComparison.Ordinal) + 8)..];
            return (entries[choice.Index], choice.PredictedStart, null);
        }

        // Nothing can start now: wait for memory on the first candidate that fits some budget at all.
        for (var i = 0; i < entries.Count; i++)
        {
            var model = entries[i];
            if (model.EstimateError is null && _ledger.Devices(LocalDevice(model.Definition)).Any(d => _ledger.Budget(d) >= model.MemoryEstimate))
            {
                trace.Model = model.Definition.Name;
                trace.Reason = "none can serve now; it waits for memory to free up, as the first that fits a budget";
                verdicts[i] = verdicts[i] with { Chosen = true, Reason = verdicts[i].Reason.Replace("not chosen: cannot serve now", "chosen: " + trace.Reason, StringComparison.Ordinal) };
                trace.Candidates = [.. verdicts, .. unavailable];
                return (model, _settings.LoadWait, null);
            }
        }

        var reasons = string.Join("; ", entries.Select(m => m.EstimateError is { } error ? $"'{m.Definition.Name}' cannot load: {error}" :
            $"'{m.Definition.Name}' needs {ByteSizes.Format(m.MemoryEstimate)}, more than any {m.Definition.Device.ToString().ToLowerInvariant()} budget"));
        return (null, default, new Refusal(503, "no_capacity", $"task '{ticket.Task.Name}' cannot be served: {reasons}", TimeSpan.FromSeconds(5)));
    }

    /// <summary>What selection knows of one candidate: requests ahead of this priority, slots, estimates, and whether a replica could start now.</summary>
    private CandidateSnapshot Candidate(ModelEntry model, PriorityClass priority, DateTimeOffset now)
    {
        var ready = model.ReadySlots();
        var inFlight = model.InFlight();
        var loading = model.Count(ReplicaState.Loading);
        var backoff = model.NextLoadAt > now ? model.NextLoadAt - now : TimeSpan.Zero;
        var more = model.Count(ReplicaState.Ready) + loading < model.Definition.ReplicasMax;
        return new CandidateSnapshot(
            model.Definition.Name,
            model.Definition.Cost,
            Math.Max(0, ready - inFlight),
            model.Queue.CountAhead(priority),
            inFlight,
            ready,
            model.ServiceEstimate,
            loading > 0,
            model.LoadEstimate + backoff,
            model.Definition.Slots,
            CanFitNow(model),
            more);
    }

    /// <summary>True when a new replica fits on some device now, counting what idle replicas there would free.</summary>
    private bool CanFitNow(ModelEntry model)
    {
        if (model.EstimateError is not null)
        {
            return false;
        }

        foreach (var device in _ledger.Devices(LocalDevice(model.Definition)))
        {
            if (_ledger.Budget(device) < model.MemoryEstimate)
            {
                continue;
            }

            var free = _ledger.Free(device);
            foreach (var m in _models.Values)
            {
                foreach (var r in m.Replicas)
                {
                    if (free < model.MemoryEstimate && r.Device == device && r.Snapshot().Evictable)
                    {
                        free += r.Memory;
                    }
                }
            }

            if (free >= model.MemoryEstimate)
            {
                return true;
            }
        }

        return false;
    }
}
