using Yardmaster.Core.History;
using Yardmaster.Core.Runs;

namespace Yardmaster.Server.Reports;

/// <summary>What a report is made of: the window's rollups, model events, usage samples and runs.</summary>
internal sealed record ReportInput(
    TimeWindow Window,
    IReadOnlyList<RollupRow> Rollups,
    IReadOnlyList<ModelEventRecord> Events,
    IReadOnlyList<UsageSample> Usage,
    IReadOnlyList<RunDetail> Runs,
    bool RunsTruncated)
{
    /// <summary>Runs read at most; a report over more says so.</summary>
    public const int MaxRuns = 2000;

    /// <summary>Reads the window from the stores (the rollups and events may come from a live recorder instead, with what it has not written yet).</summary>
    public static async Task<ReportInput> LoadAsync(
        TimeWindow window,
        IHistoryStore history,
        IRunStore runs,
        Func<CancellationToken, Task<(IReadOnlyList<RollupRow> Rows, IReadOnlyList<ModelEventRecord> Events)>>? live,
        CancellationToken cancellationToken)
    {
        var (rows, events) = live is not null
            ? await live(cancellationToken).ConfigureAwait(false)
            : (await history.ReadRollupsAsync(window.Since, window.Until, cancellationToken).ConfigureAwait(false),
               await history.ReadEventsAsync(window.Since, window.Until, cancellationToken).ConfigureAwait(false));
        var usage = await history.ReadUsageAsync(window.Since, window.Until, cancellationToken).ConfigureAwait(false);
        // Runs newest first; those created in the window (a run that began before it is left to the previous report).
        var listed = await runs.ListRunsAsync(null, MaxRuns + 1, cancellationToken).ConfigureAwait(false);
        var inWindow = listed.Where(r => r.CreatedAt >= window.Since && r.CreatedAt < window.Until).Take(MaxRuns).ToList();
        var details = new List<RunDetail>(inWindow.Count);
        foreach (var run in inWindow)
        {
            if (await runs.GetRunAsync(run.Id, cancellationToken).ConfigureAwait(false) is { } detail)
            {
                details.Add(detail);
            }
        }

        return new ReportInput(window, rows, events, usage, details, listed.Count > MaxRuns && listed[^1].CreatedAt >= window.Since);
    }
}
