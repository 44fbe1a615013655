using Yardmaster.Core.History;
using Yardmaster.Core.Runs;

namespace Yardmaster.Server.Reports;

/// <summary><c>yard report</c> and <c>GET /api/report</c>: a self-contained file of a window of the history, with plots.</summary>
public static class Report
{
    /// <summary>Reads the window from the stores and renders it.</summary>
    /// <param name="window">The window.</param>
    /// <param name="history">The history store.</param>
    /// <param name="runs">The run store.</param>
    /// <param name="format">HTML or Markdown.</param>
    /// <param name="live">Rollups and events from a live recorder (with what it has not written yet); null to read the store.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<string> RenderAsync(
        TimeWindow window,
        IHistoryStore history,
        IRunStore runs,
        ReportFormat format,
        Func<CancellationToken, Task<(IReadOnlyList<RollupRow> Rows, IReadOnlyList<ModelEventRecord> Events)>>? live,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(runs);
        var input = await ReportInput.LoadAsync(window, history, runs, live, cancellationToken).ConfigureAwait(false);
        return ReportWriter.Write(ReportBuilder.Build(input), format);
    }
}
