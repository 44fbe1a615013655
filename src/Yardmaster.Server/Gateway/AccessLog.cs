using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The access log: one line per <c>/v1</c> completion request, at Information in category <see cref="Category"/>, its
/// fields named (separate properties in JSON). Times are milliseconds; absent ones (a request refused before a slot,
/// no token sent) are null.
/// </summary>
internal static partial class AccessLog
{
    /// <summary>The category, so that <c>-q</c> can turn the access lines off while <c>-v</c> is not needed to see them.</summary>
    public const string Category = "Yardmaster.Access";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Path} {Status} {Outcome} task={Task} model={Model} class={PriorityClass} queue_ms={QueueMs:0.0} ttft_ms={TtftMs:0.0} latency_ms={LatencyMs:0.0} tokens_in={TokensIn} tokens_out={TokensOut} reason={Reason} decision={Decision} id={RequestId}")]
    public static partial void Request(
        ILogger logger, string path, int status, string outcome, string? task, string? model, string? priorityClass, double? queueMs, double? ttftMs, double latencyMs,
        int tokensIn, int tokensOut, string? reason, string? decision, string requestId);
}
