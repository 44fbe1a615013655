using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>What selection knows of one candidate: requests ahead of one of this priority from <paramref name="task"/>, slots, estimates, and whether a replica could start now.</summary>
    private CandidateSnapshot Candidate(ModelEntry model, PriorityClass priority, TaskDefinition task, DateTimeOffset now, LoadInput? load = null, bool embedding = false)
    {
        var ready = model.ReadySlots();
        // An engine that preempts gives a request a slot held by less urgent work: it waits behind its own class and those above.
        var (free, inFlight) = model.Definition.PreemptsInEngine && !embedding ? model.SlotsFor(priority) : (Math.Max(0, ready - model.InFlight()), model.InFlight());
        var loading = model.Count(ReplicaState.Loading);
        var backoff = model.NextLoadAt > now ? model.NextLoadAt - now : TimeSpan.Zero;
        var more = model.Count(ReplicaState.Ready) + loading < model.Definition.ReplicasMax;
        return new CandidateSnapshot(
            model.Definition.Name,
            model.Definition.Cost,
            free,
            model.Queue.CountAhead(priority, task.Name, task.Weight),
            inFlight,
            ready,
            model.Service.MeanFor(priority, model.Definition.PreemptsInEngine && !embedding),
            loading > 0,
            model.LoadEstimate + backoff,
            model.Definition.Slots,
            ServingPass.CanFitNow(load ?? LoadInputFor(model)),
            more);
    }
}
