namespace Yardmaster.Core.Pipelines;

/// <summary>
/// <c>map:</c> of a step: the items it runs once each, from exactly one source, expanded when the step becomes ready.
/// Each item is an attempt of its own (<c>$YARD_ITEM</c>, <c>$YARD_ITEM_INDEX</c>) with the step's retry policy; the step
/// succeeds when every item has.
/// </summary>
public sealed record MapSpec
{
    /// <summary>The most items a step may map over.</summary>
    public const int MaxItems = 100_000;

    /// <summary><c>items:</c> the items as written: a scalar's text, or a mapping's or list's JSON.</summary>
    public IReadOnlyList<string>? Items { get; init; }

    /// <summary><c>lines:</c> a file (relative to the run's working directory): one item per non-empty line.</summary>
    public string? Lines { get; init; }

    /// <summary><c>files:</c> a glob (relative to the run's working directory, <c>*</c>, <c>?</c> and <c>**</c>): one item per matching file, its path relative to the working directory, in ordinal order.</summary>
    public string? Files { get; init; }

    /// <summary><c>max_parallel:</c> at most this many items at a time; null for no limit beyond the pipeline's and the nodes'.</summary>
    public int? MaxParallel { get; init; }
}
