using System.Buffers;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The merge step of llama.cpp's byte-level BPE (<c>llm_tokenizer_bpe_session</c>) for one pre-tokenized,
/// byte-mapped word: starting from single characters, the adjacent pair with the lowest merge rank
/// (leftmost on ties) is merged, repeatedly, through a priority queue. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Ranks are keyed by the token ids of the two sides rather than by their texts. The two agree whenever
/// both sides and their concatenation are vocabulary tokens, which Hugging Face's tokenizers require of
/// every merge; merges that break this are ignored.
/// </remarks>
internal sealed class BpeMerger
{
    private readonly Vocabulary _vocabulary;
    private readonly Dictionary<long, (int Rank, int Id)> _ranks;
    private readonly bool _ignoreMerges;

    /// <summary>Indexes <paramref name="merges"/> ("left right", rank = position).</summary>
    public BpeMerger(Vocabulary vocabulary, IReadOnlyList<string> merges, bool ignoreMerges)
    {
        _vocabulary = vocabulary;
        _ignoreMerges = ignoreMerges;
        _ranks = new Dictionary<long, (int Rank, int Id)>(merges.Count);
        Span<char> joined = stackalloc char[256];
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var merge = merges[rank].AsSpan();
            var space = merge.Length > 1 ? merge[1..].IndexOf(' ') + 1 : 0;
            if (space <= 0)
            {
                continue;
            }

            var left = merge[..space];
            var right = merge[(space + 1)..];
            var both = left.Length + right.Length <= joined.Length ? joined[..(left.Length + right.Length)] : new char[left.Length + right.Length];
            left.CopyTo(both);
            right.CopyTo(both[left.Length..]);
            if (vocabulary.TryGetId(left, out var leftId) && vocabulary.TryGetId(right, out var rightId) && vocabulary.TryGetId(both, out var id))
            {
                _ranks.TryAdd(Key(leftId, rightId), (rank, id));
            }
        }
    }

    /// <summary>Number of usable merges.</summary>
    public int Count => _ranks.Count;

    /// <summary>Appends the tokens of <paramref name="word"/> (byte-mapped characters) to <paramref name="output"/>.</summary>
    public void Tokenize(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (_ignoreMerges && _vocabulary.TryGetId(word, out var whole))
        {
            output.Add(whole);
            return;
        }

        var symbols = ArrayPool<MergeSymbol>.Shared.Rent(word.Length);
        try
        {
            for (var i = 0; i < word.Length; i++)
            {
                var id = _vocabulary.TryGetId(word.Slice(i, 1), out var found) ? found : -1;
                symbols[i] = new MergeSymbol { Start = i, Length = 1, Prev = i - 1, Next = i + 1 == word.Length ? -1 : i + 1, Id = id };
            }

            var queue = new PriorityQueue<MergeCandidate, (double Cost, int Left)>(word.Length);
            for (var i = 1; i < word.Length; i++)
            {
                TryAddCandidate(symbols, i - 1, i, queue);
            }

            while (queue.TryDequeue(out var candidate, out _))
            {
                if (!MergeSymbol.TryJoin(symbols, candidate))
                {
                    continue;
                }

                ref var left = ref symbols[candidate.Left];
                left.Id = candidate.Id;

                TryAddCandidate(symbols, left.Prev, candidate.Left, queue);
                TryAddCandidate(symbols, candidate.Left, left.Next, queue);
            }

            for (var i = 0; i != -1; i = symbols[i].Next)
            {
                Emit(word, symbols[i], output);
            }
        }
        finally
        {
            ArrayPool<MergeSymbol>.Shared.Return(symbols);
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private void TryAddCandidate(MergeSymbol[] symbols, int left, int right, PriorityQueue<MergeCandidate, (double, int)> queue)
    {
        if (left < 0 || right < 0 || symbols[left].Id < 0 || symbols[right].Id < 0)
        {
            return;
        }

        if (_ranks.TryGetValue(Key(symbols[left].Id, symbols[right].Id), out var merge))
        {
            queue.Enqueue(new MergeCandidate(left, right, symbols[left].Length + symbols[right].Length, merge.Id), (merge.Rank, left));
        }
    }

    private void Emit(ReadOnlySpan<char> word, MergeSymbol symbol, List<int> output)
    {
        if (symbol.Id >= 0)
        {
            output.Add(symbol.Id);
            return;
        }

        // Not a token (a byte character missing from the vocabulary): as llama.cpp, keep the characters
        // that are tokens on their own and drop the rest.
        foreach (var c in word.Slice(symbol.Start, symbol.Length))
        {
            if (_vocabulary.TryGetId([c], out var id))
            {
                output.Add(id);
            }
        }
    }
}
