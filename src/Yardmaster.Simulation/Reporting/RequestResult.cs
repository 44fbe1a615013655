using Yardmaster.Core.Statistics;

namespace Yardmaster.Simulation.Reporting;

/// <summary>
/// What became of one request, replayed live or simulated: the unit a <see cref="RunSummaryBuilder"/> adds up.
/// </summary>
/// <param name="Task">The task it was sent to.</param>
/// <param name="Outcome">Completed, refused, timed out, failed, cancelled or invalid.</param>
/// <param name="Ttft">Time to its first token (null when none came).</param>
/// <param name="Latency">From sending (or arrival, simulated) to the last byte of the answer or the refusal.</param>
/// <param name="Status">The HTTP status of a request that was not completed (simulated refusals: the status the gateway would answer); null when completed or when there was none (a connection failure).</param>
/// <param name="Reason">Why it was not completed: the error's code (<c>rate_limit</c>, <c>queue_full</c>, <c>deadline_exceeded</c>, ...); null when completed.</param>
public sealed record RequestResult(string Task, RequestOutcome Outcome, TimeSpan? Ttft, TimeSpan Latency, int? Status = null, string? Reason = null);
