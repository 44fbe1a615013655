namespace Yardmaster.Core.Statistics;

/// <summary>One finished request, as the gateway reports it to the statistics, the history and the metrics.</summary>
/// <param name="Task">The task (or the implicit default task of a model, named after the model).</param>
/// <param name="Model">The model that served it; null when none did (refused before selection).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="QueueTime">From admission to a slot; null when it never reached a slot.</param>
/// <param name="TimeToFirstToken">From arrival to the first token sent; null when none was.</param>
/// <param name="Latency">From arrival to the end.</param>
/// <param name="PromptTokens">Tokens in (0 when unknown).</param>
/// <param name="CompletionTokens">Tokens out.</param>
/// <param name="SloMet">
/// Whether it counts for its task's SLO (TTFT and latency): true when it completed within it; false when it completed
/// late, or was refused, timed out or failed (a request the server did not answer in time is a miss); null when the
/// task has no SLO, or the request does not count (the client cancelled it, or it was invalid).
/// </param>
public sealed record RequestRecord(
    string Task,
    string? Model,
    RequestOutcome Outcome,
    TimeSpan? QueueTime,
    TimeSpan? TimeToFirstToken,
    TimeSpan Latency,
    int PromptTokens,
    int CompletionTokens,
    bool? SloMet)
{
    /// <summary>The request's id (the <c>X-Request-Id</c> header); empty when unknown.</summary>
    public string RequestId { get; init; } = "";

    /// <summary>When it arrived (wall clock); default when unknown.</summary>
    public DateTimeOffset Arrival { get; init; }

    /// <summary>The priority class it was served at (after <c>X-Yard-Priority</c>); null when it never got that far.</summary>
    public PriorityClass? Priority { get; init; }

    /// <summary>
    /// For a request that was not answered in full, the machine-readable reason (the error <c>code</c> the client
    /// saw: one of <see cref="RefusalReasons.All"/> for refusals, or a failure's code); null for a completed request.
    /// </summary>
    public string? Reason { get; init; }
}
