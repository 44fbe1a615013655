namespace Yardmaster.Server.ModelServer;

/// <summary>What serving one completion did: its outcome, token counts, and when the first token was sent (a <see cref="TimeProvider"/> timestamp).</summary>
internal sealed record CompletionReport(CompletionOutcome Outcome, int PromptTokens, int CompletionTokens, long? FirstTokenTimestamp);
