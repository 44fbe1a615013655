namespace Yardmaster.Inference.Llama;

/// <summary>One token of a forward batch: which sequence (its cache), which token, at which position, and whether its logits are wanted.</summary>
/// <param name="Cache">The sequence's cache; the token's keys and values are written at <paramref name="Position"/>.</param>
/// <param name="Token">Token id.</param>
/// <param name="Position">Position in the cache (0-based).</param>
/// <param name="WantLogits">Whether to compute the next-token logits after this token.</param>
public readonly record struct BatchToken(KvCache Cache, int Token, int Position, bool WantLogits)
{
    /// <summary>
    /// Where the token's sequence begins in <see cref="Cache"/> (0 unless several short sequences are
    /// packed end to end in one cache): the token attends to positions <c>Start..Position</c> and is
    /// rotated as if at <c>Position - Start</c>. Default 0.
    /// </summary>
    public int Start { get; init; }

    /// <summary>
    /// When set, the token's final hidden state after the output norm (llama.cpp's <c>result_norm</c>, the
    /// model's width long) is added to this array: the sum an embedding is pooled from. Default null.
    /// </summary>
    public float[]? Pool { get; init; }
}
