namespace Yardmaster.Inference.Engine;

/// <summary>What a <see cref="Generation"/> reports, in order: text deltas, then exactly one <see cref="GenerationFinished"/>.</summary>
public abstract record GenerationEvent;

/// <summary>New text. Never splits a UTF-8 character and never contains (part of) a stop string.</summary>
/// <param name="Text">The text added since the previous delta.</param>
/// <param name="Tokens">Tokens generated so far.</param>
public sealed record GenerationText(string Text, int Tokens) : GenerationEvent;

/// <summary>The sequence ended; its slot is free.</summary>
/// <param name="Reason">Why it ended.</param>
/// <param name="PromptTokens">Prompt tokens.</param>
/// <param name="CompletionTokens">Generated tokens (an end-of-generation token counts).</param>
/// <param name="Error">What failed, for <see cref="FinishReason.Error"/>.</param>
public sealed record GenerationFinished(FinishReason Reason, int PromptTokens, int CompletionTokens, string? Error = null) : GenerationEvent;
