namespace Yardmaster.Core.Statistics;

/// <summary>The requests of one task or one model since the server started. Immutable.</summary>
/// <param name="Requests">Requests recorded, whatever their outcome.</param>
/// <param name="ByOutcome">Requests per <see cref="RequestOutcome"/> name (every outcome present, zero included).</param>
/// <param name="QueueTime">From admission to a slot, over requests that reached one.</param>
/// <param name="TimeToFirstToken">From arrival to the first token, over requests that sent one.</param>
/// <param name="Latency">From arrival to the end, over completed requests only (refusals would drag it to zero).</param>
/// <param name="PromptTokens">Tokens in, summed.</param>
/// <param name="CompletionTokens">Tokens out, summed.</param>
/// <param name="SloMet">Requests that completed within their task's SLO.</param>
/// <param name="SloCounted">Requests that count for their task's SLO: completed, refused, timed out or failed, of tasks with an SLO (see <see cref="RequestRecord.SloMet"/>).</param>
public sealed record RequestStatistics(
    long Requests,
    IReadOnlyDictionary<string, long> ByOutcome,
    LatencySummary QueueTime,
    LatencySummary TimeToFirstToken,
    LatencySummary Latency,
    long PromptTokens,
    long CompletionTokens,
    long SloMet,
    long SloCounted)
{
    /// <summary><see cref="SloMet"/> / <see cref="SloCounted"/> as a fraction in [0, 1]; null when no request counted.</summary>
    public double? SloAttainment => SloCounted == 0 ? null : SloMet / (double)SloCounted;

    /// <summary>Requests not answered in full (refused, timed out, failed) by reason (<see cref="RefusalReasons.Bounded"/>); only reasons seen.</summary>
    public IReadOnlyDictionary<string, long> Reasons { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal).AsReadOnly();
}
