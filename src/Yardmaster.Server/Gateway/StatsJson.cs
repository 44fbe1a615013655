using System.Text.Json;
using Yardmaster.Core.Models;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary>The JSON of <c>/api/stats</c>: per task and per model, requests by outcome, latency summaries in milliseconds, tokens, SLO attainment; per model loads, evictions, memory and live state; per device the budget.</summary>
internal static class StatsJson
{
    public static void Write(Utf8JsonWriter json, StatisticsSnapshot stats, SchedulerSnapshot live, Core.History.TimeWindow? window = null, Action<Utf8JsonWriter>? extra = null)
    {
        json.WriteStartObject();
        if (window is not null)
        {
            // A window from the history; without it, the statistics since this server started.
            json.WriteString("since", window.Since.UtcDateTime);
            json.WriteString("until", window.Until.UtcDateTime);
        }

        json.WriteStartObject("tasks");
        foreach (var (name, s) in stats.Tasks.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(name);
            WriteRequests(json, s);
            var status = live.Tasks.FirstOrDefault(t => t.Name == name);
            json.WriteNumber("admitted_now", status?.Admitted ?? 0);
            json.WriteNumber("quality_floor_unmet", status?.QualityUnmet ?? 0); // admitted to the best measured model, none meeting the floor
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartObject("models");
        var names = stats.Models.Keys.Union(live.Models.Select(m => m.Name)).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            json.WriteStartObject(name);
            if (stats.Models.TryGetValue(name, out var m))
            {
                WriteRequests(json, m.Requests);
                json.WriteNumber("loads", m.Loads);
                json.WriteNumber("evictions", m.Evictions);
                Summary(json, "load_ms", m.LoadTime);
                if (m.MemoryBytes is { } bytes)
                {
                    json.WriteNumber("memory_bytes", bytes);
                }
            }

            if (live.Models.FirstOrDefault(x => x.Name == name) is { } status)
            {
                json.WritePropertyName("status");
                WriteStatus(json, status);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("devices");
        foreach (var d in live.Devices)
        {
            json.WriteStartObject();
            json.WriteString("device", d.Device);
            json.WriteNumber("budget_bytes", d.Budget);
            json.WriteNumber("used_bytes", d.Used);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        extra?.Invoke(json);
        json.WriteEndObject();
    }

    public static void WriteStatus(Utf8JsonWriter json, ModelStatus status)
    {
        json.WriteStartObject();
        json.WriteNumber("queued", status.Queued);
        json.WriteNumber("in_flight", status.InFlight);
        json.WriteNumber("memory_estimate_bytes", status.MemoryEstimate);
        json.WriteNumber("load_estimate_ms", Math.Round(status.LoadEstimate.TotalMilliseconds, 1));
        json.WriteNumber("service_estimate_ms", Math.Round(status.ServiceEstimate.TotalMilliseconds, 1));
        if (status.Blocked is { } blocked)
        {
            json.WriteString("blocked", blocked);
        }

        json.WriteNumber("failures", status.Failures);
        if (status is { Failures: > 0, LastFailure: { } failure })
        {
            json.WriteString("last_failure", failure);
        }

        json.WriteStartArray("replicas");
        foreach (var r in status.Replicas)
        {
            json.WriteStartObject();
            json.WriteNumber("replica", r.Replica);
            json.WriteString("state", State(r.State));
            json.WriteNumber("memory_bytes", r.MemoryBytes);
            json.WriteNumber("slots", r.Slots);
            json.WriteNumber("in_flight", r.InFlight);
            json.WriteNumber("uses", r.Uses);
            json.WriteNumber("load_ms", Math.Round(r.LoadCost.TotalMilliseconds, 1));
            if (r.Node is { } node)
            {
                json.WriteString("node", node);
            }

            if (r.Locator is { } locator)
            {
                json.WriteString("locator", locator);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRequests(Utf8JsonWriter json, RequestStatistics s)
    {
        json.WriteNumber("requests", s.Requests);
        json.WriteStartObject("outcomes");
        foreach (var (outcome, count) in s.ByOutcome)
        {
            json.WriteNumber(outcome.ToLowerInvariant(), count);
        }

        json.WriteEndObject();
        json.WriteStartObject("refusals"); // not answered in full, by reason (the error code clients saw)
        foreach (var (reason, count) in s.Reasons)
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        Summary(json, "queue_ms", s.QueueTime);
        Summary(json, "ttft_ms", s.TimeToFirstToken);
        Summary(json, "latency_ms", s.Latency);
        json.WriteNumber("tokens_in", s.PromptTokens);
        json.WriteNumber("tokens_out", s.CompletionTokens);
        if (s.SloAttainment is { } slo)
        {
            json.WriteNumber("slo_attainment", Math.Round(slo, 4));
        }
        else
        {
            json.WriteNull("slo_attainment");
        }
    }

    private static void Summary(Utf8JsonWriter json, string name, LatencySummary s)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", s.Count);
        json.WriteNumber("mean", Math.Round(s.Mean, 3));
        json.WriteNumber("stddev", Math.Round(s.StdDev, 3));
        json.WriteNumber("p50", Math.Round(s.P50, 3));
        json.WriteNumber("p95", Math.Round(s.P95, 3));
        json.WriteNumber("p99", Math.Round(s.P99, 3));
        json.WriteNumber("max", Math.Round(s.Max, 3));
        json.WriteEndObject();
    }

    private static string State(ReplicaState state) => state.ToString().ToLowerInvariant();
}
