using System.Buffers;
using System.Globalization;
using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The SentencePiece tokenizer of <c>tokenizer.ggml.model = "llama"</c>, behaving as llama.cpp's
/// <c>LLAMA_VOCAB_TYPE_SPM</c>: special tokens are cut out first; each raw fragment that starts the
/// text or follows a special token gets a leading space (with <c>add_space_prefix</c>); spaces become
/// U+2581; then <see cref="SentencePieceMerger"/> merges by score. Immutable and thread-safe.
/// </summary>
internal sealed class SentencePieceTokenizer : VocabularyTokenizer
{
    /// <summary>SentencePiece's visible space, U+2581.</summary>
    public const char SpaceSymbol = '\u2581';

    private readonly SentencePieceMerger _merger;
    private readonly bool _addSpacePrefix;

    /// <summary>Creates the tokenizer; <paramref name="scores"/> has one score per token.</summary>
    public SentencePieceTokenizer(Vocabulary vocabulary, float[] scores, SpecialTokenIds ids, bool addBos, bool addSpacePrefix)
        : base(vocabulary, ids, addBos, BuildPieces(vocabulary))
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Length != vocabulary.Count)
        {
            throw new ArgumentException($"{scores.Length} scores for {vocabulary.Count} tokens", nameof(scores));
        }

        _merger = new SentencePieceMerger(vocabulary, scores, ids.Unknown);
        _addSpacePrefix = addSpacePrefix;
    }

    /// <inheritdoc />
    /// <remarks>SentencePiece merges a fragment as a whole, so only the fragments between special tokens can stop early.</remarks>
    protected override int[] Encode(string text, bool addBos, bool parseSpecial, int limit)
    {
        var output = StartOutput(text, addBos);
        text = WellFormedText.ReplaceLoneSurrogates(text);
        var afterSpecial = true;
        char[]? rented = null;
        try
        {
            foreach (var fragment in SpecialTokenSplitter.Split(text, Vocabulary, parseSpecial))
            {
                if (!fragment.IsText)
                {
                    output.Add(fragment.TokenId);
                    afterSpecial = true;
                    continue;
                }

                var prefix = _addSpacePrefix && afterSpecial ? 1 : 0;
                var length = fragment.Length + prefix;
                if (rented is null || rented.Length < length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<char>.Shared.Return(rented);
                    }

                    rented = ArrayPool<char>.Shared.Rent(length);
                }

                rented[0] = SpaceSymbol;
                text.AsSpan(fragment.Start, fragment.Length).Replace(rented.AsSpan(prefix), ' ', SpaceSymbol);
                _merger.Tokenize(rented.AsSpan(0, length), output);
                afterSpecial = false;
                if (output.Count > limit)
                {
                    break;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        return [.. output];
    }

    /// <inheritdoc />
    public override string Decode(ReadOnlySpan<int> ids) => PieceDecoding.Decode(this, ids, _addSpacePrefix);

    private static TokenPieceTable BuildPieces(Vocabulary vocabulary) => TokenPieceTable.Build(vocabulary.Count, (id, writer) =>
    {
        // llama_vocab::impl::token_to_piece with special = false, except that UNK shows its text.
        var text = vocabulary.Text(id);
        switch (vocabulary.Type(id))
        {
            case TokenType.Normal:
                Encoding.UTF8.GetBytes(text.Replace(SpaceSymbol, ' '), writer);
                break;
            case TokenType.Unknown or TokenType.UserDefined:
                Encoding.UTF8.GetBytes(text, writer);
                break;
            case TokenType.Byte:
                WriteByteToken(text, writer);
                break;
            default:
                break;
        }
    });

    /// <summary>Writes the byte of a <c>&lt;0xNN&gt;</c> token, or the text itself when it is not of that form.</summary>
    internal static void WriteByteToken(string text, IBufferWriter<byte> writer)
    {
        if (text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
            && byte.TryParse(text.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
        {
            writer.GetSpan(1)[0] = b;
            writer.Advance(1);
        }
        else
        {
            Encoding.UTF8.GetBytes(text, writer);
        }
    }
}
