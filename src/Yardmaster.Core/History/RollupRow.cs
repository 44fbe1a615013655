namespace Yardmaster.Core.History;

/// <summary>One per-minute rollup: its key and its sums.</summary>
public sealed record RollupRow(RollupKey Key, RollupTotals Totals);
