using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>
/// Statistics of a window computed from its rollups and events: the same <see cref="StatisticsSnapshot"/> as the live
/// collector's (percentiles from the merged histograms), and per-step time series. Pure.
/// </summary>
public static class HistoryWindow
{
    private static readonly RequestOutcome[] _outcomes = Enum.GetValues<RequestOutcome>();

    /// <summary>Per task and per model, over every row and event given.</summary>
    public static StatisticsSnapshot Statistics(IEnumerable<RollupRow> rows, IEnumerable<ModelEventRecord> events)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(events);
        var all = rows as IReadOnlyCollection<RollupRow> ?? [.. rows];
        var tasks = all.GroupBy(r => r.Key.Task, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, Summarize, StringComparer.Ordinal);
        var byModel = all.Where(r => r.Key.Model.Length > 0).GroupBy(r => r.Key.Model, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var eventsByModel = events.GroupBy(e => e.Model, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var models = byModel.Keys.Union(eventsByModel.Keys).Order(StringComparer.Ordinal).ToDictionary(
            m => m,
            m =>
            {
                var modelEvents = eventsByModel.GetValueOrDefault(m) ?? [];
                var loads = modelEvents.Where(e => e.Kind == "loaded").ToList();
                return new ModelStatistics(
                    Summarize(byModel.GetValueOrDefault(m) ?? []),
                    loads.Count,
                    modelEvents.Count(e => e is { Kind: "unloaded", Reason: "evicted" }),
                    LatencySummary.FromSamples(loads.Select(l => (l.Seconds ?? 0) * 1000)),
                    loads.Count > 0 ? loads[^1].Bytes : null);
            },
            StringComparer.Ordinal);
        return new StatisticsSnapshot(tasks.AsReadOnly(), models.AsReadOnly());
    }

    /// <summary>
    /// Per key (task or model, chosen by <paramref name="keyOf"/>; rows for which it returns null are left out), the
    /// statistics of each step of <paramref name="step"/> that had requests, oldest first.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>> Series(IEnumerable<RollupRow> rows, TimeSpan step, Func<RollupKey, string?> keyOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(keyOf);
        var seconds = Math.Max(60, (long)step.TotalSeconds / 60 * 60);
        return rows.Select(r => (Key: keyOf(r.Key), Row: r)).Where(x => x.Key is not null)
            .GroupBy(x => x.Key!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<SeriesPoint>)[.. g.GroupBy(x => x.Row.Key.Minute - (((x.Row.Key.Minute % seconds) + seconds) % seconds))
                    .OrderBy(s => s.Key)
                    .Select(s => new SeriesPoint(DateTimeOffset.FromUnixTimeSeconds(s.Key), Summarize(s.Select(x => x.Row))))],
                StringComparer.Ordinal)
            .AsReadOnly();
    }

    /// <summary>The statistics of a set of rows (latency over completed requests only, as the live collector does).</summary>
    public static RequestStatistics Summarize(IEnumerable<RollupRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var byOutcome = new long[_outcomes.Length];
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var total = new RollupTotals();
        var completedLatency = new LatencyHistogram();
        foreach (var row in rows)
        {
            byOutcome[(int)row.Key.Outcome] += row.Totals.Count;
            total.Merge(row.Totals);
            if (row.Key.Outcome == RequestOutcome.Completed)
            {
                completedLatency.Merge(row.Totals.Latency);
            }

            if (row.Key.Reason.Length > 0)
            {
                reasons[row.Key.Reason] = reasons.GetValueOrDefault(row.Key.Reason) + row.Totals.Count;
            }
        }

        return new RequestStatistics(
            total.Count,
            _outcomes.ToDictionary(o => o.ToString(), o => byOutcome[(int)o], StringComparer.Ordinal).AsReadOnly(),
            total.QueueTime.Summarize(),
            total.TimeToFirstToken.Summarize(),
            completedLatency.Summarize(),
            total.TokensIn,
            total.TokensOut,
            total.SloMet,
            total.SloCounted)
        {
            Reasons = new Dictionary<string, long>(reasons, StringComparer.Ordinal).AsReadOnly(),
        };
    }
}
