namespace Yardmaster.Simulation.Traces;

/// <summary>
/// One inference request of an LLM or model-serving trace, in the form every reader produces (azure-llm, mooncake,
/// alibaba-genai, yard): when it arrives and what it asks.
/// </summary>
/// <param name="Line">Its line in the trace file (1 is the first line), for messages.</param>
/// <param name="Offset">Arrival, from the trace's first request (readers sort by it, stably).</param>
/// <param name="PromptTokens">Tokens in (the context); for alibaba-genai the prompt length as the trace gives it.</param>
/// <param name="OutputTokens">Tokens out; for alibaba-genai, 0 (its service time is <paramref name="Service"/>).</param>
/// <param name="Model">The model the trace names (alibaba-genai's base model, yard's model); null when it names none.</param>
/// <param name="Task">The task the trace names (yard); null when it names none.</param>
/// <param name="Priority">The class the trace names (yard: critical, high, normal, low, batch); null when it names none.</param>
/// <param name="Service">A measured service time the trace gives (alibaba-genai's exec_time_seconds); null when the token model decides.</param>
/// <param name="PrefixBlocks">Mooncake's <c>hash_ids</c> (512-token prefix blocks); empty for the others.</param>
public sealed record TraceRequest(
    long Line,
    TimeSpan Offset,
    int PromptTokens,
    int OutputTokens,
    string? Model = null,
    string? Task = null,
    string? Priority = null,
    TimeSpan? Service = null,
    IReadOnlyList<long>? PrefixBlocks = null);
