namespace Yardmaster.Inference.Engine;

/// <summary>The outcome of <see cref="InferenceEngine.Submit"/>: an admitted <see cref="Generation"/> or a refusal with a reason.</summary>
public readonly record struct SubmitResult
{
    /// <summary>The admitted generation, or null when refused.</summary>
    public Generation? Generation { get; init; }

    /// <summary>Why it was refused.</summary>
    public SubmitRefusal Refusal { get; init; }

    /// <summary>Human-readable reason, naming the limits involved.</summary>
    public string? Message { get; init; }

    /// <summary>For <see cref="SubmitRefusal.QueueFull"/>: when a retry is likely to be admitted.</summary>
    public TimeSpan RetryAfter { get; init; }
}
