namespace Yardmaster.Inference.Engine;

/// <summary>Token sequences to embed, one vector each.</summary>
/// <param name="Inputs">Token ids of each input, BOS included when wanted; at least one input, each of 1 to the context's length tokens.</param>
public sealed record EmbeddingRequest(IReadOnlyList<int[]> Inputs);
