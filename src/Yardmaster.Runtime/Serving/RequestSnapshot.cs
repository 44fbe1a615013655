using Yardmaster.Core;

namespace Yardmaster.Runtime.Serving;

/// <summary>One queued or running request at one moment, for <c>/api/requests</c> and <c>yard ps</c>. Immutable.</summary>
/// <param name="Id">Its id (<c>X-Request-Id</c>).</param>
/// <param name="Task">Its task.</param>
/// <param name="Priority">Its class.</param>
/// <param name="Model">The model chosen; null while undecided.</param>
/// <param name="State">Queued or running.</param>
/// <param name="Waited">Queued so far (queued), or how long it was queued (running).</param>
/// <param name="PredictedStart">Predicted time from now until it holds a slot (queued); null when running or unknown.</param>
/// <param name="Position">Its place in its model's queue (1 = next); null when running.</param>
/// <param name="Replica">The replica serving it (running); null when queued.</param>
/// <param name="Device">That replica's device; null when queued.</param>
/// <param name="Arrival">When it arrived.</param>
public sealed record RequestSnapshot(
    string Id,
    string Task,
    PriorityClass Priority,
    string? Model,
    RequestState State,
    TimeSpan Waited,
    TimeSpan? PredictedStart,
    int? Position,
    int? Replica,
    string? Device,
    DateTimeOffset Arrival);
