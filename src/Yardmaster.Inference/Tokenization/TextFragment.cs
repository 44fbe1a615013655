namespace Yardmaster.Inference.Tokenization;

/// <summary>A piece of the input: either raw text (<see cref="TokenId"/> = -1) or a special token found in it.</summary>
/// <param name="Start">Index of the first character in the input.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="TokenId">The special token the characters stand for, or -1 for raw text.</param>
internal readonly record struct TextFragment(int Start, int Length, int TokenId)
{
    /// <summary>Whether this is raw text still to be tokenized.</summary>
    public bool IsText => TokenId < 0;
}
