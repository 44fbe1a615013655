namespace Yardmaster.Core.Statistics;

/// <summary>One finished request, as the gateway reports it to the statistics.</summary>
/// <param name="Task">The task (or the implicit default task of a model, named after the model).</param>
/// <param name="Model">The model that served it; null when none did (refused before selection).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="QueueTime">From admission to a slot; null when it never reached a slot.</param>
/// <param name="TimeToFirstToken">From arrival to the first token sent; null when none was.</param>
/// <param name="Latency">From arrival to the end.</param>
/// <param name="PromptTokens">Tokens in (0 when unknown).</param>
/// <param name="CompletionTokens">Tokens out.</param>
/// <param name="SloMet">True when it completed within its task's SLO (TTFT and latency); null when the task has none.</param>
public sealed record RequestRecord(
    string Task,
    string? Model,
    RequestOutcome Outcome,
    TimeSpan? QueueTime,
    TimeSpan? TimeToFirstToken,
    TimeSpan Latency,
    int PromptTokens,
    int CompletionTokens,
    bool? SloMet);
