namespace Yardmaster.Server.ModelServer;

/// <summary>A validated <c>/v1/embeddings</c> request.</summary>
internal sealed record EmbeddingsRequest
{
    public string? Model { get; init; }

    /// <summary>The inputs in order: each a text, or token ids (exactly one of the two set).</summary>
    public required IReadOnlyList<EmbeddingsInput> Inputs { get; init; }

    /// <summary>True when <c>input</c> was one string or one array of token ids rather than an array of inputs: errors name <c>input</c>, not <c>input[0]</c>.</summary>
    public bool Single { get; init; }

    /// <summary><c>encoding_format: base64</c>: each vector as the base64 of its little-endian float32 bytes.</summary>
    public bool Base64 { get; init; }

    /// <summary><c>dimensions</c>, when given: must equal the model's width.</summary>
    public int? Dimensions { get; init; }

    /// <summary>The engine's priority: lower is more urgent; the class's number, normal (2) by default.</summary>
    public int Priority { get; init; } = (int)Core.PriorityClass.Normal;

    /// <summary>The JSON path of input <paramref name="index"/> for error messages.</summary>
    public string Param(int index) => Single ? "input" : $"input[{index}]";
}
