namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// One symbol of a word being merged: a run of characters in a doubly linked list of symbols.
/// A symbol merged into its left neighbour keeps <see cref="Length"/> 0.
/// </summary>
internal struct MergeSymbol
{
    /// <summary>Index of the first character in the word.</summary>
    public int Start;

    /// <summary>Number of characters; 0 once merged away.</summary>
    public int Length;

    /// <summary>Index of the previous live symbol, or -1.</summary>
    public int Prev;

    /// <summary>Index of the next live symbol, or -1.</summary>
    public int Next;

    /// <summary>Token id of the symbol's text, or -1 (used by BPE only).</summary>
    public int Id;

    /// <summary>
    /// Joins the candidate's right symbol into its left one and unlinks it; false when the candidate is
    /// stale (either side already merged away, or the pair is no longer the one it was scored for).
    /// </summary>
    public static bool TryJoin(MergeSymbol[] symbols, in MergeCandidate candidate)
    {
        ref var left = ref symbols[candidate.Left];
        ref var right = ref symbols[candidate.Right];
        if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != candidate.Length)
        {
            return false;
        }

        left.Length += right.Length;
        right.Length = 0;
        left.Next = right.Next;
        if (right.Next >= 0)
        {
            symbols[right.Next].Prev = candidate.Left;
        }

        return true;
    }
}
