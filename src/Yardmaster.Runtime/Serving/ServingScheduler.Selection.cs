using Yardmaster.Core;
using Yardmaster.Core.Models;
using Yardmaster.Core.Serving;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>What selection knows of one candidate: requests ahead of this priority, slots, estimates, and whether a replica could start now.</summary>
    private CandidateSnapshot Candidate(ModelEntry model, PriorityClass priority, DateTimeOffset now, LoadInput? load = null)
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
            ServingPass.CanFitNow(load ?? LoadInputFor(model)),
            more);
    }
}
