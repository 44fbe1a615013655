using Microsoft.Extensions.Logging;
using Yardmaster.Core;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Server.Gateway;

/// <summary>The access line of each request, written once it ended however it ended.</summary>
internal sealed partial class CompletionGateway
{
    internal void WriteAccess(HttpContext http, string requestId, long arrival, AccessNote note, bool threw)
    {
        if (!access.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var record = note.Record;
        var gone = http.RequestAborted.IsCancellationRequested;
        var outcome = record?.Outcome ?? (threw ? (gone ? RequestOutcome.Cancelled : RequestOutcome.Failed) : RequestOutcome.Invalid);
        // 499 (as nginx logs it): the client went away before an answer; 500: what the server answers to an exception.
        var status = outcome == RequestOutcome.Cancelled && !http.Response.HasStarted ? 499 : threw && !gone ? 500 : http.Response.StatusCode;
        var latency = (record?.Latency ?? time.GetElapsedTime(arrival)).TotalMilliseconds;
        var (path, name, priority) = (http.Request.Path.Value ?? string.Empty, Observability.YardMetrics.OutcomeName(outcome), record?.Priority is { } p ? p.Name() : null);
        var (queue, ttft) = (record?.QueueTime?.TotalMilliseconds, record?.TimeToFirstToken?.TotalMilliseconds);
        AccessLog.Request(
            access, path, status, name, record?.Task ?? note.Task, record?.Model, priority, queue, ttft, latency,
            record?.PromptTokens ?? 0, record?.CompletionTokens ?? 0, record?.Reason ?? note.Code, note.Decision ?? scheduler.Trace(requestId)?.Summary, requestId);
    }

    /// <summary>What the access line needs to know of a request as it goes; one per request, filled by one handler.</summary>
    internal sealed class AccessNote
    {
        /// <summary>The task or model the body named, before it was resolved (for requests that end there).</summary>
        public string? Task { get; set; }

        /// <summary>The error code of a request that ended before it was recorded (a bad body, an unknown model).</summary>
        public string? Code { get; set; }

        /// <summary>What was reported to the statistics, once it was.</summary>
        public RequestRecord? Record { get; set; }

        /// <summary>The one-line summary of the request's scheduling decisions; null until the decision trace provides it.</summary>
        public string? Decision { get; set; }
    }
}
