namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// A pair of adjacent symbols that may merge. It is stale, and skipped, once either symbol has changed:
/// symbols only grow or vanish, so an unchanged <see cref="Length"/> sum proves both are as they were.
/// </summary>
/// <param name="Left">Index of the left symbol.</param>
/// <param name="Right">Index of the right symbol.</param>
/// <param name="Length">Characters of both symbols when the candidate was made.</param>
/// <param name="Id">Token id of the merged text.</param>
internal readonly record struct MergeCandidate(int Left, int Right, int Length, int Id);
