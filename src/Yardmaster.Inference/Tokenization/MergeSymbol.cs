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
}
