using Yardmaster.Inference.Sampling;

namespace Yardmaster.Inference.Engine;

/// <summary>One sequence to generate: a tokenized prompt and when to stop.</summary>
/// <param name="Prompt">Prompt token ids, BOS included when wanted; at least one.</param>
/// <param name="Sampling">How tokens are chosen.</param>
/// <param name="MaxTokens">Most tokens to generate; generation also stops at the context length.</param>
/// <param name="Stop">Strings that end generation; the matched string is not returned.</param>
public sealed record GenerationRequest(int[] Prompt, SamplingOptions Sampling, int MaxTokens, IReadOnlyList<string> Stop)
{
    /// <summary>Keep generating past end-of-generation tokens (for benchmarks). Default false.</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>
    /// Urgency: lower is more urgent (the server passes its priority class, critical 0 to batch 4); only the order
    /// matters. Queued requests are admitted most urgent first, then in arrival order; with
    /// <see cref="EngineOptions.Preempt"/> a request finding every slot busy takes the slot of the least urgent
    /// sequence less urgent than itself, which waits and resumes later. Default 0.
    /// </summary>
    public int Priority { get; init; }
}
