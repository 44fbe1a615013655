namespace Yardmaster.Core.Models;

/// <summary>What model selection knows of one of a task's candidate models at one moment. Immutable.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Cost">Its relative cost per request (any unit, the same for all candidates; lower is cheaper).</param>
/// <param name="FreeSlots">Free slots summed over its ready replicas.</param>
/// <param name="Queued">Requests waiting in its queue.</param>
/// <param name="InFlight">Requests its replicas are serving.</param>
/// <param name="ReadySlots">Slots summed over its ready replicas; 0 when none is ready (the model is not loaded).</param>
/// <param name="MeanServiceTime">Measured mean time a request holds a slot (an estimate until measured).</param>
/// <param name="Loading">True when a replica of it is loading now.</param>
/// <param name="LoadTime">Estimated (or last measured) time to load a replica.</param>
/// <param name="ReplicaSlots">Slots one replica of it offers (from its definition).</param>
/// <param name="CanLoadNow">True when a new replica fits in memory now, as is or after evicting idle replicas.</param>
/// <param name="MoreReplicasAllowed">True when it has fewer replicas than its <c>replicas.max</c>.</param>
public sealed record CandidateSnapshot(
    string Model,
    double Cost,
    int FreeSlots,
    int Queued,
    int InFlight,
    int ReadySlots,
    TimeSpan MeanServiceTime,
    bool Loading,
    TimeSpan LoadTime,
    int ReplicaSlots,
    bool CanLoadNow,
    bool MoreReplicasAllowed);
