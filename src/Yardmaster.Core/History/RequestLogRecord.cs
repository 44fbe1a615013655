using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>One row of the request log: a request as it happened, enough to replay it as a trace.</summary>
/// <param name="Id">Its request id.</param>
/// <param name="Arrival">When it arrived.</param>
/// <param name="Task">The task.</param>
/// <param name="Model">The model that served it; null when none did.</param>
/// <param name="Priority">Its class name; null when it was refused before one applied.</param>
/// <param name="PromptTokens">Tokens in.</param>
/// <param name="OutputTokens">Tokens out.</param>
/// <param name="QueueMs">Queue time; null when it never reached a slot.</param>
/// <param name="TtftMs">Time to first token; null when none was sent.</param>
/// <param name="LatencyMs">From arrival to the end.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reason">The refusal or failure reason; null for a completed request.</param>
public sealed record RequestLogRecord(
    string Id,
    DateTimeOffset Arrival,
    string Task,
    string? Model,
    string? Priority,
    int PromptTokens,
    int OutputTokens,
    double? QueueMs,
    double? TtftMs,
    double LatencyMs,
    RequestOutcome Outcome,
    string? Reason)
{
    /// <summary>The row of <paramref name="record"/>.</summary>
    public static RequestLogRecord Of(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new RequestLogRecord(
            record.RequestId,
            record.Arrival,
            record.Task,
            record.Model,
            record.Priority is { } p ? PriorityClasses.Name(p) : null,
            record.PromptTokens,
            record.CompletionTokens,
            record.QueueTime?.TotalMilliseconds,
            record.TimeToFirstToken?.TotalMilliseconds,
            record.Latency.TotalMilliseconds,
            record.Outcome,
            record.Reason);
    }
}
