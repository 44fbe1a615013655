namespace Yardmaster.Core.History;

/// <summary>What the recorder writes in one transaction: rollups to merge into the stored ones, and rows to append.</summary>
public sealed record HistoryBatch(
    IReadOnlyList<RollupRow> Rollups,
    IReadOnlyList<RequestLogRecord> Requests,
    IReadOnlyList<ModelEventRecord> Events,
    IReadOnlyList<UsageSample> Usage)
{
    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Rollups.Count == 0 && Requests.Count == 0 && Events.Count == 0 && Usage.Count == 0;
}
