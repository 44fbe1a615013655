using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>What <see cref="SyntheticModel"/> generates. Immutable; derive variants with <c>with</c>.</summary>
public sealed record SyntheticModelOptions
{
    /// <summary>The model's hyperparameters; its vocabulary size must equal <see cref="Vocabulary"/>'s count.</summary>
    public required SyntheticModelShape Shape { get; init; }

    /// <summary>
    /// Encoding of the 2-D weights: <see cref="GgmlType.F32"/> (the default), <see cref="GgmlType.F16"/>
    /// or <see cref="GgmlType.Q8_0"/>. The 1-D norm weights are always F32, as llama.cpp's quantizer keeps them.
    /// </summary>
    public GgmlType Type { get; init; } = GgmlType.F32;

    /// <summary>
    /// Seed of the weights (default 42). Each tensor's float values depend only on the seed, the tensor's
    /// name and its shape, never on <see cref="Type"/>: two models that differ only in type hold the same
    /// weights in two encodings (the F16 and Q8_0 tensors are the F32 values converted).
    /// </summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Value of <c>llama.context_length</c> (default 2048).</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary>Value of <c>general.name</c> (default <c>synthetic</c>).</summary>
    public string Name { get; init; } = "synthetic";

    /// <summary>Tokenizer metadata to embed (default: the builtin 512-token vocabulary).</summary>
    public SyntheticVocabulary Vocabulary { get; init; } = SyntheticVocabulary.Builtin;

    /// <summary>Every reason these options cannot be generated; empty when they can.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0))
        {
            problems.Add($"type {Type} is not supported (F32, F16 and Q8_0 are)");
        }
        else
        {
            problems.AddRange(Shape.Validate(Type));
        }

        if (Shape.VocabSize != Vocabulary.Count)
        {
            problems.Add($"the shape's vocabulary of {Shape.VocabSize} tokens differs from the {Vocabulary.Count} tokens of the {Vocabulary.Source} vocabulary");
        }

        if (ContextLength <= 0)
        {
            problems.Add($"context length {ContextLength} must be positive");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("the name must not be empty");
        }

        return problems;
    }
}
