namespace Yardmaster.Core.Statistics;

/// <summary>The requests of one task or one model since the server started. Immutable.</summary>
/// <param name="Requests">Requests recorded, whatever their outcome.</param>
/// <param name="ByOutcome">Requests per <see cref="RequestOutcome"/> name (every outcome present, zero included).</param>
/// <param name="QueueTime">From admission to a slot, over requests that reached one.</param>
/// <param name="TimeToFirstToken">From arrival to the first token, over requests that sent one.</param>
/// <param name="Latency">From arrival to the end, over completed requests only (refusals would drag it to zero).</param>
/// <param name="PromptTokens">Tokens in, summed.</param>
/// <param name="CompletionTokens">Tokens out, summed.</param>
/// <param name="SloMet">Completed requests that met their task's SLO.</param>
/// <param name="SloCompleted">Completed requests whose task has an SLO.</param>
public sealed record RequestStatistics(
    long Requests,
    IReadOnlyDictionary<string, long> ByOutcome,
    LatencySummary QueueTime,
    LatencySummary TimeToFirstToken,
    LatencySummary Latency,
    long PromptTokens,
    long CompletionTokens,
    long SloMet,
    long SloCompleted)
{
    /// <summary><see cref="SloMet"/> / <see cref="SloCompleted"/> as a fraction in [0, 1]; null when no completed request had an SLO.</summary>
    public double? SloAttainment => SloCompleted == 0 ? null : SloMet / (double)SloCompleted;
}
