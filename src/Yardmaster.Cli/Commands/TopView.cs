using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// One screen of <c>yard top</c>: tasks (request rate between two polls, queue, p50/p95 latency, SLO attainment),
/// replicas (state, memory, slots in use), devices (memory against the budget), running steps, and the queued and
/// running requests. Pure: frames in, renderable out.
/// </summary>
internal static class TopView
{
    public static IRenderable Render(string server, TopFrame current, TopFrame? previous, TimeProvider time)
    {
        var requests = TopFrame.Items(current.Requests, "requests").ToList();
        var header = string.Create(CultureInfo.InvariantCulture, $"yard top: {server} at {time.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z; requests {Json.Text(current.Requests, "queued")} queued, {Json.Text(current.Requests, "running")} running; q to quit");
        var parts = new List<IRenderable>
        {
            new Text(header),
            new Text(string.Empty),
            Section(Tasks(current, previous, requests, time), "no task has had a request yet"),
            new Text(string.Empty),
            Section(Replicas(current.Stats), "no replica loaded"),
            new Text(string.Empty),
            Section(Devices(current.Stats), "no devices"),
            new Text(string.Empty),
            Section(Steps(current.Steps), "no running steps"),
            new Text(string.Empty),
            PsCommand.Table(current.Requests) as IRenderable ?? new Text("no requests queued or running"),
        };
        return new Rows(parts);
    }

    private static IRenderable Section(Table table, string empty) => table.Rows.Count > 0 ? table : new Text(empty);

    private static Table Tasks(TopFrame current, TopFrame? previous, List<JsonElement> requests, TimeProvider time)
    {
        var table = TextTable.Create("task", "rate/s", "queue", "p50 ms", "p95 ms", "slo");
        var tasks = Json.Object(current.Stats, "tasks");
        var names = Json.Members(tasks).Select(t => t.Name).Union(requests.Select(q => Json.Text(q, "task"))).Order(StringComparer.Ordinal);
        var seconds = previous is null ? 0 : time.GetElapsedTime(previous.Timestamp, current.Timestamp).TotalSeconds;
        foreach (var name in names)
        {
            var now = Json.Object(tasks, name);
            var rate = previous is null || seconds <= 0 ? Json.None
                : Json.Format(Math.Max(0, Json.Number(now, "requests") - Json.Number(Json.Object(Json.Object(previous.Stats, "tasks"), name), "requests")) / seconds);
            var latency = Json.Object(now, "latency_ms");
            var counted = Json.Number(latency, "count") > 0;
            var slo = now.ValueKind == JsonValueKind.Object && now.TryGetProperty("slo_attainment", out var a) && a.ValueKind == JsonValueKind.Number
                ? string.Create(CultureInfo.InvariantCulture, $"{a.GetDouble() * 100:0.#}%")
                : Json.None;
            TextTable.AddRow(table,
                name,
                rate,
                requests.Count(q => Json.Text(q, "task") == name && Json.Text(q, "state") == "queued").ToString(CultureInfo.InvariantCulture),
                counted ? Json.Format(Json.Number(latency, "p50")) : Json.None,
                counted ? Json.Format(Json.Number(latency, "p95")) : Json.None,
                slo);
        }

        return table;
    }

    private static Table Replicas(JsonElement stats)
    {
        var table = TextTable.Create("model", "replica", "state", "memory", "in flight");
        foreach (var m in Json.Members(Json.Object(stats, "models")))
        {
            var status = Json.Object(m.Value, "status");
            foreach (var replica in TopFrame.Items(status, "replicas"))
            {
                TextTable.AddRow(table,
                    m.Name,
                    Json.Text(replica, "replica"),
                    Json.Text(replica, "state"),
                    ByteSizes.Format((long)Json.Number(replica, "memory_bytes")),
                    $"{Json.Text(replica, "in_flight")}/{Json.Text(replica, "slots")}");
            }
        }

        return table;
    }

    private static Table Devices(JsonElement stats)
    {
        var table = TextTable.Create("device", "used", "budget", "use");
        if (stats.TryGetProperty("devices", out var devices) && devices.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in devices.EnumerateArray())
            {
                var used = Json.Number(d, "used_bytes");
                var budget = Json.Number(d, "budget_bytes");
                TextTable.AddRow(table,
                    Json.Text(d, "device"),
                    ByteSizes.Format((long)used),
                    ByteSizes.Format((long)budget),
                    budget > 0 ? string.Create(CultureInfo.InvariantCulture, $"{used / budget * 100:0}%") : Json.None);
            }
        }

        return table;
    }

    private static Table Steps(IReadOnlyList<TopStep> steps)
    {
        var table = TextTable.Create("run", "pipeline", "step", "attempt");
        foreach (var s in steps)
        {
            TextTable.AddRow(table, s.Run, s.Pipeline, s.Step, s.Attempt.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }
}
