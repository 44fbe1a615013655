namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>The outcome of one fuzz case and, when it broke a rule, what happened.</summary>
public sealed record GgufFuzzResult(GgufFuzzOutcome Outcome, string? Failure)
{
    /// <summary>Bytes the case allocated on the managed heap.</summary>
    public long Allocated { get; init; }
}
