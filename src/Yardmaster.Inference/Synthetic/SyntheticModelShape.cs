using System.Globalization;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// The hyperparameters of a llama-architecture model. <see cref="ParameterCount"/> is the exact number of
/// weights the generator writes (separate input embedding and output matrices, RMS-norm weights included).
/// </summary>
/// <param name="Dim">Embedding length (<c>llama.embedding_length</c>).</param>
/// <param name="Layers">Number of transformer blocks (<c>llama.block_count</c>).</param>
/// <param name="Heads">Attention query heads (<c>llama.attention.head_count</c>).</param>
/// <param name="KvHeads">Key/value heads (<c>llama.attention.head_count_kv</c>); divides <paramref name="Heads"/>.</param>
/// <param name="FeedForward">Hidden size of the SwiGLU feed-forward (<c>llama.feed_forward_length</c>).</param>
/// <param name="VocabSize">Number of tokens.</param>
public sealed record SyntheticModelShape(int Dim, int Layers, int Heads, int KvHeads, int FeedForward, int VocabSize)
{
    /// <summary>The shape of karpathy's stories260K: dim 64, 5 layers, 8 heads, 4 kv heads, ffn 172, vocab 512.</summary>
    public static SyntheticModelShape Stories260K { get; } = new(64, 5, 8, 4, 172, 512);

    /// <summary>Size of one attention head (also <c>llama.rope.dimension_count</c>).</summary>
    public int HeadDim => Dim / Heads;

    /// <summary>Width of the key and value projections: <see cref="HeadDim"/> × <see cref="KvHeads"/>.</summary>
    public int KvDim => HeadDim * KvHeads;

    /// <summary>Weights in one transformer block, norms included.</summary>
    public long ParametersPerLayer =>
        (2L * Dim) + (2L * Dim * Dim) + (2L * Dim * KvDim) + (3L * Dim * FeedForward);

    /// <summary>The exact number of weights: both embedding matrices, the final norm and every block.</summary>
    public long ParameterCount => (2L * Dim * VocabSize) + Dim + (Layers * ParametersPerLayer);

    /// <summary>
    /// Chooses a shape for about <paramref name="parameters"/> weights with a vocabulary of
    /// <paramref name="vocabSize"/>; see <see cref="SyntheticShapeTable"/> for the rule.
    /// </summary>
    public static SyntheticModelShape ForParameterCount(long parameters, int vocabSize) =>
        SyntheticShapeTable.Choose(parameters, vocabSize);

    /// <summary>Every reason this shape cannot be written as <paramref name="type"/>; empty when it can.</summary>
    public IReadOnlyList<string> Validate(GgmlType type)
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Require(Dim > 0 && Layers > 0 && Heads > 0 && KvHeads > 0 && FeedForward > 0 && VocabSize > 0,
            $"every size must be positive ({this})");
        if (problems.Count > 0)
        {
            return problems;
        }

        Require(Dim % Heads == 0, $"dim {Dim} is not a multiple of the {Heads} heads");
        Require(Heads % KvHeads == 0, $"{Heads} heads are not a multiple of the {KvHeads} kv heads");
        Require(Dim % Heads != 0 || HeadDim % 2 == 0, $"head size {HeadDim} must be even for RoPE");
        var block = Math.Max(1, GgmlTypeInfo.BlockSize(type));
        Require(Dim % block == 0, $"{type} needs rows that are multiples of {block}, dim {Dim} is not");
        Require(FeedForward % block == 0, $"{type} needs rows that are multiples of {block}, feed-forward length {FeedForward} is not");
        return problems;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"dim {Dim}, {Layers} {(Layers == 1 ? "layer" : "layers")}, {Heads} heads, {KvHeads} kv heads, ffn {FeedForward}, vocab {VocabSize}");
}
