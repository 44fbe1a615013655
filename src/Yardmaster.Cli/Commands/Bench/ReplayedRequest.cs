using Yardmaster.Core.Statistics;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>One request of a replay and what became of it: a line of <c>requests.csv</c>.</summary>
/// <param name="Line">Its line in the trace.</param>
/// <param name="Task">The task it was sent to.</param>
/// <param name="Due">When the trace (divided by the speed) said to send it, from the replay's start.</param>
/// <param name="Sent">When it was sent, from the replay's start.</param>
/// <param name="PromptTokens">The trace's prompt length (words sent).</param>
/// <param name="MaxTokens">The <c>max_tokens</c> sent (the trace's output length, at least 1).</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Status">The HTTP status (null when no answer came).</param>
/// <param name="Reason">The error's code, or what went wrong; null when completed.</param>
/// <param name="Ttft">From sending to the first token; null when none came.</param>
/// <param name="Latency">From sending to the end of the answer.</param>
/// <param name="ServedPromptTokens">The prompt tokens the server counted (its usage), null when it sent none.</param>
/// <param name="ServedOutputTokens">The tokens it generated (its usage), null when it sent none.</param>
internal sealed record ReplayedRequest(
    long Line,
    string Task,
    TimeSpan Due,
    TimeSpan Sent,
    int PromptTokens,
    int MaxTokens,
    RequestOutcome Outcome,
    int? Status,
    string? Reason,
    TimeSpan? Ttft,
    TimeSpan Latency,
    int? ServedPromptTokens,
    int? ServedOutputTokens);
