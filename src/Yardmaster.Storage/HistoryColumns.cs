using System.Data.Common;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Storage;

/// <summary>How every history store writes and reads the columns it shares with the others: outcomes as text, a rollup's totals.</summary>
internal static class HistoryColumns
{
    /// <summary>The columns of a rollup's totals, in the order <see cref="Totals"/> reads them.</summary>
    /// <summary>The columns of a model event row, in the order <see cref="Event"/> reads them.</summary>
    public const string EventColumns = "at_ms, kind, model, replica, device, reason, detail, seconds, bytes";

    /// <summary>A <c>model_events</c> row (<see cref="EventColumns"/>) as its record.</summary>
    public static ModelEventRecord Event(DbDataReader reader) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetDouble(7),
        reader.GetInt64(8));

    public const string TotalsColumns = "requests, tokens_in, tokens_out, slo_counted, slo_met, queue_ms, ttft_ms, latency_ms";

    /// <summary>The totals in the eight columns from <paramref name="first"/> (requests, tokens in and out, SLO counted and met, three histograms); null with the errors when a histogram cannot be read.</summary>
    public static RollupTotals? Totals(DbDataReader reader, int first, out IReadOnlyList<string> errors)
    {
        var queue = LatencyHistogram.Decode(reader.GetString(first + 5), out var queueError);
        var ttft = LatencyHistogram.Decode(reader.GetString(first + 6), out var ttftError);
        var latency = LatencyHistogram.Decode(reader.GetString(first + 7), out var latencyError);
        errors = [.. new[] { queueError, ttftError, latencyError }.OfType<string>()];
        return queue is null || ttft is null || latency is null ? null : new RollupTotals
        {
            Count = reader.GetInt64(first),
            TokensIn = reader.GetInt64(first + 1),
            TokensOut = reader.GetInt64(first + 2),
            SloCounted = reader.GetInt64(first + 3),
            SloMet = reader.GetInt64(first + 4),
            QueueTime = queue,
            TimeToFirstToken = ttft,
            Latency = latency,
        };
    }

    /// <summary>An outcome as stored: <c>completed</c>, <c>timed_out</c>, ...</summary>
    public static string OutcomeText(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.TimedOut => "timed_out",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    /// <summary>A stored outcome read back; <see cref="RequestOutcome.Failed"/> for text no version wrote.</summary>
    public static RequestOutcome Outcome(string text) =>
        Enum.TryParse<RequestOutcome>(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var o) ? o : RequestOutcome.Failed;
}
