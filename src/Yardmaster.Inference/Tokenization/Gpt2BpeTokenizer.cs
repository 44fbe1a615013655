using System.Buffers;
using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The byte-level BPE tokenizer of <c>tokenizer.ggml.model = "gpt2"</c>, behaving as llama.cpp's
/// <c>LLAMA_VOCAB_TYPE_BPE</c>: special tokens are cut out first; each raw fragment is split into words by
/// the <see cref="BpePreTokenizer"/>; each word's UTF-8 bytes are mapped through
/// <see cref="ByteLevelAlphabet"/> and merged by <see cref="BpeMerger"/>. Immutable and thread-safe.
/// </summary>
internal sealed class Gpt2BpeTokenizer : VocabularyTokenizer
{
    private readonly BpePreTokenizer _preTokenizer;
    private readonly BpeMerger _merger;

    /// <summary>Creates the tokenizer from a built vocabulary.</summary>
    public Gpt2BpeTokenizer(Vocabulary vocabulary, IReadOnlyList<string> merges, BpePreTokenizer preTokenizer, SpecialTokenIds ids, bool addBos)
        : base(vocabulary, ids, addBos, BuildPieces(vocabulary))
    {
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(preTokenizer);
        _preTokenizer = preTokenizer;
        _merger = new BpeMerger(vocabulary, merges, preTokenizer.IgnoreMerges);
    }

    /// <summary>The pre-tokenizer family in use.</summary>
    public string PreTokenizerName => _preTokenizer.Name;

    /// <summary>
    /// Creates the tokenizer from in-memory arrays, as the GGUF metadata would give them. <paramref name="types"/>
    /// null means all normal; <paramref name="addBos"/> null means the pre-tokenizer's default.
    /// </summary>
    public static Gpt2BpeTokenizer Create(
        IReadOnlyList<string> tokens, IReadOnlyList<string> merges, IReadOnlyList<TokenType>? types = null,
        string? pre = null, SpecialTokenIds? ids = null, bool? addBos = null)
    {
        var preTokenizer = BpePreTokenizer.FromName(pre);
        return new Gpt2BpeTokenizer(new Vocabulary(tokens, types), merges, preTokenizer, ids ?? SpecialTokenIds.None, addBos ?? preTokenizer.AddBosByDefault);
    }

    /// <inheritdoc />
    protected override int[] Encode(string text, bool addBos, bool parseSpecial, int limit)
    {
        var output = StartOutput(text, addBos);
        text = WellFormedText.ReplaceLoneSurrogates(text);
        var words = new List<(int Start, int Length)>();
        foreach (var fragment in SpecialTokenSplitter.Split(text, Vocabulary, parseSpecial))
        {
            if (!fragment.IsText)
            {
                output.Add(fragment.TokenId);
                continue;
            }

            words.Clear();
            _preTokenizer.Split(text, fragment.Start, fragment.Length, words);
            foreach (var (start, length) in words)
            {
                EncodeWord(text.AsSpan(start, length), output);
                if (output.Count > limit)
                {
                    return [.. output]; // words are merged independently: the rest can only add tokens
                }
            }
        }

        return [.. output];
    }

    private void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        var byteCount = Encoding.UTF8.GetByteCount(word);
        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        Span<byte> bytes = byteCount <= 512 ? stackalloc byte[512] : rentedBytes = ArrayPool<byte>.Shared.Rent(byteCount);
        Span<char> chars = byteCount <= 512 ? stackalloc char[512] : rentedChars = ArrayPool<char>.Shared.Rent(byteCount);
        try
        {
            Encoding.UTF8.GetBytes(word, bytes);
            for (var i = 0; i < byteCount; i++)
            {
                chars[i] = ByteLevelAlphabet.ToChar(bytes[i]);
            }

            _merger.Tokenize(chars[..byteCount], output);
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
                ArrayPool<char>.Shared.Return(rentedChars!);
            }
        }
    }

    private static TokenPieceTable BuildPieces(Vocabulary vocabulary) => TokenPieceTable.Build(vocabulary.Count, (id, writer) =>
    {
        // llama_vocab::impl::token_to_piece with special = false, except that UNK shows its text.
        var text = vocabulary.Text(id);
        switch (vocabulary.Type(id))
        {
            case TokenType.Normal:
                WriteByteLevel(text, writer);
                break;
            case TokenType.Unknown or TokenType.UserDefined:
                Encoding.UTF8.GetBytes(text, writer);
                break;
            case TokenType.Byte:
                SentencePieceTokenizer.WriteByteToken(text, writer);
                break;
            default:
                break;
        }
    });

    private static void WriteByteLevel(string text, IBufferWriter<byte> writer)
    {
        Span<char> one = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && ByteLevelAlphabet.TryGetByte((char)rune.Value, out var b))
            {
                writer.GetSpan(1)[0] = b;
                writer.Advance(1);
            }
            else
            {
                // Not a byte character (llama.cpp writes "[UNK_BYTE_...]"): keep its UTF-8 instead.
                Encoding.UTF8.GetBytes(one[..rune.EncodeToUtf16(one)], writer);
            }
        }
    }
}
