using System.Text.Json;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Server.Gateway;

/// <summary>The JSON of <c>/api/history</c>: per task and per model a time series of steps with requests, and the model events of the window.</summary>
internal static class HistoryJson
{
    public static void Write(Utf8JsonWriter json, TimeWindow window, TimeSpan step, IReadOnlyList<RollupRow> rows, IReadOnlyList<ModelEventRecord> events)
    {
        json.WriteStartObject();
        json.WriteString("since", window.Since.UtcDateTime);
        json.WriteString("until", window.Until.UtcDateTime);
        json.WriteNumber("step_seconds", (long)step.TotalSeconds);
        json.WriteStartObject("tasks");
        foreach (var (task, points) in HistoryWindow.Series(rows, step, k => k.Task))
        {
            json.WriteStartArray(task);
            foreach (var p in points)
            {
                WritePoint(json, p, full: true);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartObject("models");
        foreach (var (model, points) in HistoryWindow.Series(rows, step, k => k.Model.Length > 0 ? k.Model : null))
        {
            json.WriteStartArray(model);
            foreach (var p in points)
            {
                WritePoint(json, p, full: false);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartArray("events");
        foreach (var e in events)
        {
            json.WriteStartObject();
            json.WriteString("at", e.At.UtcDateTime);
            json.WriteString("kind", e.Kind);
            json.WriteString("model", e.Model);
            json.WriteNumber("replica", e.Replica);
            json.WriteString("device", e.Device);
            StringOrNull(json, "reason", e.Reason);
            StringOrNull(json, "detail", e.Detail);
            if (e.Seconds is { } seconds)
            {
                json.WriteNumber("seconds", Math.Round(seconds, 3));
            }
            else
            {
                json.WriteNull("seconds");
            }

            json.WriteNumber("bytes", e.Bytes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePoint(Utf8JsonWriter json, SeriesPoint point, bool full)
    {
        var s = point.Statistics;
        json.WriteStartObject();
        json.WriteString("t", point.Start.UtcDateTime);
        json.WriteNumber("requests", s.Requests);
        json.WriteNumber("completed", s.ByOutcome[nameof(RequestOutcome.Completed)]);
        if (full)
        {
            json.WriteNumber("refused", s.ByOutcome[nameof(RequestOutcome.Refused)]);
            json.WriteNumber("timed_out", s.ByOutcome[nameof(RequestOutcome.TimedOut)]);
            json.WriteNumber("failed", s.ByOutcome[nameof(RequestOutcome.Failed)]);
            json.WriteNumber("tokens_in", s.PromptTokens);
            json.WriteNumber("tokens_out", s.CompletionTokens);
            json.WriteNumber("queue_p50_ms", Math.Round(s.QueueTime.P50, 3));
            json.WriteNumber("queue_p95_ms", Math.Round(s.QueueTime.P95, 3));
            json.WriteNumber("ttft_p50_ms", Math.Round(s.TimeToFirstToken.P50, 3));
        }

        json.WriteNumber("latency_p50_ms", Math.Round(s.Latency.P50, 3));
        json.WriteNumber("latency_p95_ms", Math.Round(s.Latency.P95, 3));
        if (full)
        {
            json.WriteNumber("latency_p99_ms", Math.Round(s.Latency.P99, 3));
            if (s.SloAttainment is { } slo)
            {
                json.WriteNumber("slo_attainment", Math.Round(slo, 4));
            }
            else
            {
                json.WriteNull("slo_attainment");
            }
        }

        json.WriteEndObject();
    }

    private static void StringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
