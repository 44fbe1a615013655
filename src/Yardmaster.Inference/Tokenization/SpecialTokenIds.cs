namespace Yardmaster.Inference.Tokenization;

/// <summary>Ids of the vocabulary's special tokens; -1 where the vocabulary has none.</summary>
/// <param name="Bos">Beginning of sequence (<c>tokenizer.ggml.bos_token_id</c>).</param>
/// <param name="Eos">End of sequence (<c>tokenizer.ggml.eos_token_id</c>).</param>
/// <param name="Unknown">Unknown token (<c>tokenizer.ggml.unknown_token_id</c>).</param>
/// <param name="EndOfTurn">End of turn (<c>tokenizer.ggml.eot_token_id</c>).</param>
/// <param name="EndOfMessage">End of message (<c>tokenizer.ggml.eom_token_id</c>).</param>
internal sealed record SpecialTokenIds(int Bos, int Eos, int Unknown, int EndOfTurn = -1, int EndOfMessage = -1)
{
    /// <summary>No special tokens at all.</summary>
    public static SpecialTokenIds None { get; } = new(-1, -1, -1);
}
