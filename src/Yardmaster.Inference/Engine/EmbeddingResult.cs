namespace Yardmaster.Inference.Engine;

/// <summary>
/// The outcome of <see cref="InferenceEngine.EmbedAsync"/>: the vectors, or why there are none (a refusal at
/// submission, or the request was cancelled or failed while computed).
/// </summary>
public sealed record EmbeddingResult
{
    /// <summary>One L2-normalised vector of the model's width per input, in input order; null unless computed.</summary>
    public IReadOnlyList<float[]>? Vectors { get; init; }

    /// <summary>Tokens of every input together.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Why it was not admitted; <see cref="SubmitRefusal.None"/> when it was.</summary>
    public SubmitRefusal Refusal { get; init; }

    /// <summary>How an admitted request ended: <see cref="FinishReason.Stop"/> when computed.</summary>
    public FinishReason Finish { get; init; }

    /// <summary>Human-readable reason of a refusal or failure, naming the input and the limits involved.</summary>
    public string? Message { get; init; }

    /// <summary>For <see cref="SubmitRefusal.QueueFull"/>: when a retry is likely to be admitted.</summary>
    public TimeSpan RetryAfter { get; init; }
}
