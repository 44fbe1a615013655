using System.Buffers;
using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The merge step of llama.cpp's SentencePiece tokenizer (<c>llm_tokenizer_spm_session</c>): the text is
/// split into code points, then the adjacent pair whose concatenation is the highest-scoring token
/// (leftmost on ties) is merged, repeatedly, through a priority queue. A symbol left over that is not a
/// token falls back to its UTF-8 bytes as <c>&lt;0xNN&gt;</c> tokens. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// llama.cpp also keeps a "resegment" table to split a merged symbol that is not a token; every merge
/// here produces a vocabulary token by construction, so only single code points can miss and the
/// table is not needed. llama.cpp works on UTF-8 bytes and this on UTF-16; both split at code points
/// and compare the same texts, so the merges and their order are identical.
/// </remarks>
internal sealed class SentencePieceMerger
{
    private readonly Vocabulary _vocabulary;
    private readonly float[] _scores;
    private readonly int[] _byteTokens;
    private readonly int _unknownId;

    /// <summary>Creates the merger over <paramref name="vocabulary"/> with one score per token.</summary>
    public SentencePieceMerger(Vocabulary vocabulary, float[] scores, int unknownId)
    {
        _vocabulary = vocabulary;
        _scores = scores;
        _unknownId = unknownId;
        _byteTokens = new int[256];
        for (var b = 0; b < 256; b++)
        {
            // llama_vocab::byte_to_token: "<0xNN>", else the byte itself as a one-character token.
            _byteTokens[b] = vocabulary.TryGetId($"<0x{b:X2}>", out var id) || (b < 0x80 && vocabulary.TryGetId([(char)b], out id)) ? id : -1;
        }
    }

    /// <summary>Appends the tokens of <paramref name="text"/> (already escaped: spaces as U+2581) to <paramref name="output"/>.</summary>
    public void Tokenize(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var symbols = ArrayPool<MergeSymbol>.Shared.Rent(text.Length);
        try
        {
            var count = SplitCodePoints(text, symbols);
            var queue = new PriorityQueue<MergeCandidate, (double Cost, int Left)>(count);
            for (var i = 1; i < count; i++)
            {
                TryAddCandidate(text, symbols, i - 1, i, queue);
            }

            while (queue.TryDequeue(out var candidate, out _))
            {
                if (!MergeSymbol.TryJoin(symbols, candidate))
                {
                    continue;
                }

                ref var left = ref symbols[candidate.Left];

                TryAddCandidate(text, symbols, left.Prev, candidate.Left, queue);
                TryAddCandidate(text, symbols, candidate.Left, left.Next, queue);
            }

            for (var i = 0; i != -1; i = symbols[i].Next)
            {
                Emit(text.Slice(symbols[i].Start, symbols[i].Length), output);
            }
        }
        finally
        {
            ArrayPool<MergeSymbol>.Shared.Return(symbols);
        }
    }

    private static int SplitCodePoints(ReadOnlySpan<char> text, MergeSymbol[] symbols)
    {
        var count = 0;
        for (var i = 0; i < text.Length; count++)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            symbols[count] = new MergeSymbol { Start = i, Length = length, Prev = count - 1, Next = i + length == text.Length ? -1 : count + 1, Id = -1 };
            i += length;
        }

        return count;
    }

    private void TryAddCandidate(ReadOnlySpan<char> text, MergeSymbol[] symbols, int left, int right, PriorityQueue<MergeCandidate, (double, int)> queue)
    {
        if (left < 0 || right < 0)
        {
            return;
        }

        var length = symbols[left].Length + symbols[right].Length;
        if (_vocabulary.TryGetId(text.Slice(symbols[left].Start, length), out var id))
        {
            // A min-queue on (-score, left) pops the highest score first and the leftmost pair on ties.
            queue.Enqueue(new MergeCandidate(left, right, length, id), (-(double)_scores[id], left));
        }
    }

    private void Emit(ReadOnlySpan<char> symbol, List<int> output)
    {
        if (_vocabulary.TryGetId(symbol, out var id))
        {
            output.Add(id);
            return;
        }

        Span<byte> bytes = stackalloc byte[8];
        var n = Encoding.UTF8.GetBytes(symbol, bytes);
        foreach (var b in bytes[..n])
        {
            if (_byteTokens[b] < 0)
            {
                // No byte token to fall back on: the whole character becomes UNK, as SentencePiece does.
                if (_unknownId >= 0)
                {
                    output.Add(_unknownId);
                }

                return;
            }
        }

        foreach (var b in bytes[..n])
        {
            output.Add(_byteTokens[b]);
        }
    }
}
