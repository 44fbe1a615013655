namespace Yardmaster.Inference.Engine;

/// <summary>Token sequences to embed, one vector each.</summary>
/// <param name="Inputs">Token ids of each input, BOS included when wanted; at least one input, each of 1 to the context's length tokens.</param>
public sealed record EmbeddingRequest(IReadOnlyList<int[]> Inputs)
{
    /// <summary>Urgency, as <see cref="GenerationRequest.Priority"/>: lower is more urgent; an embedding request is admitted in that order but never preempts nor is preempted. Default 0.</summary>
    public int Priority { get; init; }
}
