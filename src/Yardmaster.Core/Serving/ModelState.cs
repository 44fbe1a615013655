namespace Yardmaster.Core.Serving;

/// <summary>What the dispatch, scale-out and idle steps know of one model at one moment.</summary>
/// <param name="Model">Its name.</param>
/// <param name="Removed">Removed from the registry (it drains; nothing new starts).</param>
/// <param name="Ready">Replicas ready.</param>
/// <param name="Loading">Replicas loading (one at a time: single flight).</param>
/// <param name="ReplicasMin">Replicas kept warm (<c>replicas.min</c>).</param>
/// <param name="ReplicasMax">Replicas allowed (<c>replicas.max</c>).</param>
/// <param name="Queued">Requests in its queue.</param>
/// <param name="ReadySlots">Slots over its ready replicas.</param>
/// <param name="Service">Its mean service time.</param>
/// <param name="NextLoadAt">No load before this (restart backoff after a failure).</param>
/// <param name="KeepAlive">How long an idle replica stays loaded (<c>keep_alive</c>); null for ever.</param>
/// <param name="QueueBudget">How long its queue may make a request wait before one more replica is worth loading (<see cref="ServingPass.QueueBudget"/>).</param>
public sealed record ModelState(
    string Model,
    bool Removed,
    int Ready,
    int Loading,
    int ReplicasMin,
    int ReplicasMax,
    int Queued,
    int ReadySlots,
    TimeSpan Service,
    DateTimeOffset NextLoadAt,
    TimeSpan? KeepAlive,
    TimeSpan QueueBudget);
