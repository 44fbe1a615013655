using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// Generates llama-architecture GGUF models with seeded random weights, named and laid out as llama.cpp
/// expects, streaming the weights so that no model needs to fit in memory. Deterministic: the same
/// options give the same bytes. Thread-safe (no shared state).
/// </summary>
public static class SyntheticModel
{
    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically (creating its directory) and describes it.
    /// Throws <see cref="ArgumentException"/> listing every problem when the options are invalid.
    /// </summary>
    public static async Task<SyntheticModelResult> WriteAsync(SyntheticModelOptions options, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid synthetic model: " + string.Join("; ", problems), nameof(options));
        }

        var writer = CreateWriter(options);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await writer.WriteFileAsync(path, cancellationToken).ConfigureAwait(false);
        return new SyntheticModelResult(path, options.Shape, options.Type, options.Shape.ParameterCount, new FileInfo(path).Length);
    }

    /// <summary>
    /// Writes the same weights once per requested type (e.g. F32 and Q8_0 for comparing logits): each
    /// output is <see cref="WriteAsync"/> with <paramref name="options"/> and only the type changed.
    /// </summary>
    public static async Task<IReadOnlyList<SyntheticModelResult>> WriteEachTypeAsync(
        SyntheticModelOptions options, IEnumerable<KeyValuePair<GgmlType, string>> outputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outputs);
        var results = new List<SyntheticModelResult>();
        foreach (var (type, path) in outputs)
        {
            results.Add(await WriteAsync(options with { Type = type }, path, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static GgufWriter CreateWriter(SyntheticModelOptions options)
    {
        var shape = options.Shape;
        var writer = new GgufWriter();
        writer.AddMetadata("general.architecture", GgufValue.From("llama"));
        writer.AddMetadata("general.name", GgufValue.From(options.Name));
        writer.AddMetadata("general.file_type", GgufValue.From(FileType(options.Type)));
        if (options.Type == GgmlType.Q8_0)
        {
            writer.AddMetadata("general.quantization_version", GgufValue.From(2u));
        }

        writer.AddMetadata("llama.context_length", GgufValue.From((uint)options.ContextLength));
        writer.AddMetadata("llama.embedding_length", GgufValue.From((uint)shape.Dim));
        writer.AddMetadata("llama.feed_forward_length", GgufValue.From((uint)shape.FeedForward));
        writer.AddMetadata("llama.block_count", GgufValue.From((uint)shape.Layers));
        writer.AddMetadata("llama.attention.head_count", GgufValue.From((uint)shape.Heads));
        writer.AddMetadata("llama.attention.head_count_kv", GgufValue.From((uint)shape.KvHeads));
        writer.AddMetadata("llama.rope.dimension_count", GgufValue.From((uint)shape.HeadDim));
        writer.AddMetadata("llama.rope.freq_base", GgufValue.From(10000f));
        writer.AddMetadata("llama.attention.layer_norm_rms_epsilon", GgufValue.From(1e-5f));
        writer.AddMetadata("llama.vocab_size", GgufValue.From((uint)shape.VocabSize));
        writer.AddMetadata("yardmaster.synthetic.seed", GgufValue.From(options.Seed));
        foreach (var (key, value) in options.Vocabulary.Metadata)
        {
            writer.AddMetadata(key, value);
        }

        var ones = SyntheticTensors.Ones(shape.Dim);
        void Matrix(string name, int columns, int rows) =>
            writer.AddTensor(name, [columns, rows], options.Type, SyntheticTensors.Random(name, [columns, rows], options.Type, options.Seed));

        Matrix("token_embd.weight", shape.Dim, shape.VocabSize);
        writer.AddTensor("output_norm.weight", [shape.Dim], GgmlType.F32, ones);
        Matrix("output.weight", shape.Dim, shape.VocabSize);
        for (var i = 0; i < shape.Layers; i++)
        {
            var block = "blk." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            writer.AddTensor(block + ".attn_norm.weight", [shape.Dim], GgmlType.F32, ones);
            Matrix(block + ".attn_q.weight", shape.Dim, shape.Dim);
            Matrix(block + ".attn_k.weight", shape.Dim, shape.KvDim);
            Matrix(block + ".attn_v.weight", shape.Dim, shape.KvDim);
            Matrix(block + ".attn_output.weight", shape.Dim, shape.Dim);
            writer.AddTensor(block + ".ffn_norm.weight", [shape.Dim], GgmlType.F32, ones);
            Matrix(block + ".ffn_gate.weight", shape.Dim, shape.FeedForward);
            Matrix(block + ".ffn_down.weight", shape.FeedForward, shape.Dim);
            Matrix(block + ".ffn_up.weight", shape.Dim, shape.FeedForward);
        }

        return writer;
    }

    /// <summary><c>general.file_type</c> as llama.cpp numbers it: ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q8_0 7.</summary>
    private static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F16 => 1,
        GgmlType.Q8_0 => 7,
        _ => 0,
    };
}
