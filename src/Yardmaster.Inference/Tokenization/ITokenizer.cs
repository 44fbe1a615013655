namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Turns text into token ids and token ids back into bytes, as the model's GGUF metadata defines.
/// Implementations are immutable and thread-safe.
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of tokens in the vocabulary.</summary>
    int VocabularySize { get; }

    /// <summary>Beginning-of-sequence id, or -1 when the vocabulary has none.</summary>
    int BosId { get; }

    /// <summary>End-of-sequence id, or -1 when the vocabulary has none.</summary>
    int EosId { get; }

    /// <summary>Whether prompts start with <see cref="BosId"/> (<c>tokenizer.ggml.add_bos_token</c>, default per model type).</summary>
    bool AddBos { get; }

    /// <summary>
    /// Tokenizes <paramref name="text"/> as llama.cpp does: <see cref="BosId"/> first when
    /// <paramref name="addBos"/>; with <paramref name="parseSpecial"/>, the text of control tokens
    /// (e.g. <c>&lt;s&gt;</c>, <c>&lt;|im_start|&gt;</c>) becomes those tokens instead of being split.
    /// </summary>
    int[] Encode(string text, bool addBos, bool parseSpecial);

    /// <summary>
    /// As <see cref="Encode"/> when the text makes at most <paramref name="maxTokens"/> tokens (BOS counted);
    /// null when it makes more. The vocabulary tokenizers stop as soon as that is known: at once when the text
    /// is longer than <paramref name="maxTokens"/> of the vocabulary's longest tokens could cover, else (BPE)
    /// once the words tokenized so far pass the limit. So refusing a prompt far beyond the context costs at
    /// most tokenizing about <paramref name="maxTokens"/> × the longest token's length of text, whatever its size.
    /// </summary>
    int[]? EncodeAtMost(string text, bool addBos, bool parseSpecial, int maxTokens)
    {
        var ids = Encode(text, addBos, parseSpecial);
        return ids.Length <= maxTokens ? ids : null;
    }

    /// <summary>
    /// The bytes a token stands for when decoding: a normal token's text (SentencePiece's U+2581 as a
    /// space, byte-level BPE mapped back to bytes), a byte token's byte, nothing for control tokens.
    /// May be an incomplete UTF-8 sequence that the next token completes.
    /// </summary>
    ReadOnlySpan<byte> TokenBytes(int id);

    /// <summary>Whether generation ends at <paramref name="id"/> (EOS, EOT and other end-of-generation tokens).</summary>
    bool IsEndOfGeneration(int id);

    /// <summary>The token's text as stored in the vocabulary (for diagnostics).</summary>
    string TokenText(int id);

    /// <summary>
    /// Decodes <paramref name="ids"/> to text as llama.cpp's <c>llama_detokenize</c> does without special
    /// tokens: the <see cref="TokenBytes"/> of each id, concatenated and read as UTF-8 (an invalid or
    /// incomplete sequence becomes U+FFFD). A SentencePiece vocabulary that prefixes a space when encoding
    /// drops one space from the start of the first token, unless the first token is a control token
    /// such as BOS; so <c>Decode(Encode(t, addBos: false, ...)) == t</c> and, for a non-empty <c>t</c>,
    /// <c>Decode(Encode(t, addBos: true, ...)) == " " + t</c>. Byte-level BPE gives back <c>t</c> either way.
    /// Text given with unpaired surrogates comes back with U+FFFD in their place.
    /// </summary>
    string Decode(ReadOnlySpan<int> ids) => PieceDecoding.Decode(this, ids, stripLeadingSpace: false);
}
