using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Llama;

/// <summary>The weights of one transformer block.</summary>
internal sealed class LlamaLayer
{
    public required float[] AttentionNorm { get; init; }

    public required WeightMatrix Query { get; init; }

    public required WeightMatrix Key { get; init; }

    public required WeightMatrix Value { get; init; }

    public required WeightMatrix Output { get; init; }

    public required float[] FeedForwardNorm { get; init; }

    public required WeightMatrix Gate { get; init; }

    public required WeightMatrix Up { get; init; }

    public required WeightMatrix Down { get; init; }
}
