namespace Yardmaster.Inference.Llama;

/// <summary>One token of a forward batch: which sequence (its cache), which token, at which position, and whether its logits are wanted.</summary>
/// <param name="Cache">The sequence's cache; the token's keys and values are written at <paramref name="Position"/>.</param>
/// <param name="Token">Token id.</param>
/// <param name="Position">Position in the sequence (0-based).</param>
/// <param name="WantLogits">Whether to compute the next-token logits after this token.</param>
public readonly record struct BatchToken(KvCache Cache, int Token, int Position, bool WantLogits);
