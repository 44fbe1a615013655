using System.Globalization;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// The weights of a llama-architecture model, read in place from a memory-mapped GGUF (only the small
/// norm vectors are copied). Immutable and thread-safe; <see cref="Dispose"/> unmaps the file, so
/// dispose only after every <see cref="ForwardPass"/> over it is done.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private LlamaModel(GgufFile file, LlamaConfig config)
    {
        File = file;
        Config = config;
        Embedding = Matrix("token_embd.weight", config.VocabularySize, config.Dim);
        OutputNorm = Vector("output_norm.weight", config.Dim);
        Output = file.TryGetTensor("output.weight", out _)
            ? Matrix("output.weight", config.VocabularySize, config.Dim)
            : Embedding;
        // Grown block by block, not sized from block_count: a damaged count (up to 2^24) must fail at the
        // first missing tensor, not allocate for millions of blocks first.
        var layers = new List<LlamaLayer>();
        for (var i = 0; i < config.Layers; i++)
        {
            var p = $"blk.{i}.";
            layers.Add(new LlamaLayer
            {
                AttentionNorm = Vector(p + "attn_norm.weight", config.Dim),
                Query = Matrix(p + "attn_q.weight", config.QueryDim, config.Dim),
                Key = Matrix(p + "attn_k.weight", config.KvDim, config.Dim),
                Value = Matrix(p + "attn_v.weight", config.KvDim, config.Dim),
                Output = Matrix(p + "attn_output.weight", config.Dim, config.QueryDim),
                FeedForwardNorm = Vector(p + "ffn_norm.weight", config.Dim),
                Gate = Matrix(p + "ffn_gate.weight", config.HiddenDim, config.Dim),
                Up = Matrix(p + "ffn_up.weight", config.HiddenDim, config.Dim),
                Down = Matrix(p + "ffn_down.weight", config.Dim, config.HiddenDim),
            });
        }

        Layers = layers;
        WeightBytes = file.Tensors.Sum(t => t.ByteLength);
    }

    /// <summary>The mapped file the weights live in.</summary>
    public GgufFile File { get; }

    /// <summary>Hyperparameters.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Bytes of all tensors: what one decode step reads, give or take the embedding row.</summary>
    public long WeightBytes { get; }

    internal WeightMatrix Embedding { get; }

    internal float[] OutputNorm { get; }

    internal WeightMatrix Output { get; }

    internal IReadOnlyList<LlamaLayer> Layers { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and maps its weights. Throws <see cref="GgufFormatException"/> for a
    /// malformed file and <see cref="UnsupportedModelException"/> for one this runtime cannot run.
    /// </summary>
    public static LlamaModel Load(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            file.Prefetch();
            return new LlamaModel(file, LlamaConfig.FromGguf(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => File.Dispose();

    private WeightMatrix Matrix(string name, int rows, int columns)
    {
        var t = Tensor(name);
        if (t.Dimensions.Count != 2 || t.Dimensions[0] != columns || t.Dimensions[1] != rows)
        {
            throw new UnsupportedModelException(string.Create(CultureInfo.InvariantCulture,
                $"tensor {name} has shape [{string.Join(", ", t.Dimensions)}], expected [{columns}, {rows}]"));
        }

        RequireSupportedType(t);
        return new WeightMatrix(File.TensorPointer(t), t.Type, rows, columns);
    }

    private float[] Vector(string name, int length)
    {
        var t = Tensor(name);
        if (t.ElementCount != length)
        {
            throw new UnsupportedModelException(string.Create(CultureInfo.InvariantCulture,
                $"tensor {name} has {t.ElementCount} elements, expected {length}"));
        }

        RequireSupportedType(t);

        var values = new float[length];
        fixed (float* dst = values)
        {
            Dot.Dequantize(t.Type, File.TensorPointer(t), dst, length);
        }

        return values;
    }

    private static void RequireSupportedType(GgufTensorInfo t)
    {
        if (!Dot.Supports(t.Type))
        {
            throw new UnsupportedModelException($"tensor {t.Name} has type {t.Type}; the builtin runtime supports F32, F16, BF16, Q8_0 and Q4_0");
        }
    }

    private GgufTensorInfo Tensor(string name) =>
        File.TryGetTensor(name, out var t) ? t : throw new UnsupportedModelException($"tensor {name} is missing");
}
