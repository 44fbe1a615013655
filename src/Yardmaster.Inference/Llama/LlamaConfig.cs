using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Llama;

/// <summary>Hyperparameters of a llama-architecture model, read from GGUF metadata.</summary>
/// <param name="Dim">Embedding length.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads (grouped-query attention when fewer than <paramref name="Heads"/>).</param>
/// <param name="HeadDim">Size of one head.</param>
/// <param name="HiddenDim">Feed-forward length.</param>
/// <param name="VocabularySize">Rows of the embedding matrix.</param>
/// <param name="ContextLength">Context length the model was trained with.</param>
/// <param name="RopeDimensions">Leading dimensions of each head that RoPE rotates.</param>
/// <param name="RopeFrequencyBase">RoPE base, 10000 by default.</param>
/// <param name="RmsEpsilon">RMSNorm epsilon.</param>
public sealed record LlamaConfig(
    int Dim, int Layers, int Heads, int KvHeads, int HeadDim, int HiddenDim, int VocabularySize,
    int ContextLength, int RopeDimensions, float RopeFrequencyBase, float RmsEpsilon)
{
    /// <summary>Architectures this runtime runs (all share the llama tensor layout).</summary>
    public static readonly IReadOnlyList<string> SupportedArchitectures = ["llama"];

    /// <summary>Width of the query projection.</summary>
    public int QueryDim => Heads * HeadDim;

    /// <summary>Width of the key and value projections.</summary>
    public int KvDim => KvHeads * HeadDim;

    /// <summary>Reads and validates the hyperparameters; throws <see cref="UnsupportedModelException"/> for another architecture or inconsistent values.</summary>
    public static LlamaConfig FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var arch = file.GetString("general.architecture")
            ?? throw new UnsupportedModelException("the GGUF has no general.architecture key");
        if (!SupportedArchitectures.Contains(arch))
        {
            throw new UnsupportedModelException(
                $"architecture '{arch}' is not supported by the builtin runtime (supported: {string.Join(", ", SupportedArchitectures)})");
        }

        int Int(string key, long fallback = -1)
        {
            var value = file.GetInt64($"{arch}.{key}", fallback);
            return value is > 0 and <= 1 << 24
                ? (int)value
                : throw new UnsupportedModelException($"{arch}.{key} is {(value < 0 ? "missing" : value.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        var dim = Int("embedding_length");
        var heads = Int("attention.head_count");
        var kvHeads = Int("attention.head_count_kv", heads);
        var headDim = Int("attention.key_length", dim / heads);
        if (heads % kvHeads != 0)
        {
            throw new UnsupportedModelException($"{arch}.attention.head_count {heads} is not a multiple of head_count_kv {kvHeads}");
        }

        var ropeDims = Int("rope.dimension_count", headDim);
        if (ropeDims > headDim || ropeDims % 2 != 0)
        {
            throw new UnsupportedModelException($"{arch}.rope.dimension_count {ropeDims} must be even and at most the head size {headDim}");
        }

        var vocab = file.TryGetTensor("token_embd.weight", out var embd) && embd.Dimensions.Count == 2
            ? (int)embd.Dimensions[1]
            : throw new UnsupportedModelException("tensor token_embd.weight is missing or not 2-D");

        return new LlamaConfig(
            dim, Int("block_count"), heads, kvHeads, headDim, Int("feed_forward_length"), vocab,
            Int("context_length", 2048), ropeDims, file.GetSingle($"{arch}.rope.freq_base", 10000f),
            file.GetSingle($"{arch}.attention.layer_norm_rms_epsilon", 1e-5f));
    }
}
