using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard stats</c>: <c>GET /api/stats</c> as two tables (per task, per model: requests, outcomes,
/// p50/p95/p99 of latency, queue time and time to first token in ms, tokens, SLO attainment; per model also
/// loads, evictions and memory) and the device budgets, or the server's JSON.
/// </summary>
internal static class StatsCommand
{
    private static readonly string[] _requestColumns =
        ["requests", "outcomes", "latency ms p50/p95/p99", "queue ms p50/p95/p99", "ttft ms p50/p95/p99", "tokens in/out", "slo"];

    public static Command Create()
    {
        var server = new ServerOptions();
        var format = OutputOption.Create();
        var since = WindowOption("--since", "A window of the history instead of the statistics since the server started: a duration back from now (30m, 1h, 7d) or an ISO 8601 time");
        var until = WindowOption("--until", "The window's end (with --since): a duration back from now or an ISO 8601 time; default now");
        var command = new Command("stats", "Show a running server's statistics per task and per model: since it started, or over any window of its history (--since).") { format, since, until };
        server.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(until) is not null && result.GetValue(since) is null)
            {
                result.AddError("--until needs --since");
            }
        });
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var path = parse.GetValue(since) is { } s
                ? $"api/stats?since={Uri.EscapeDataString(s)}" + (parse.GetValue(until) is { } u ? $"&until={Uri.EscapeDataString(u)}" : "")
                : "api/stats";
            var body = await client.GetAsync(path, token).ConfigureAwait(false);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                ServerCall.WriteJson(body);
                return ExitCodes.Ok;
            }

            using var document = JsonDocument.Parse(body);
            Print(document.RootElement);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>An option naming one end of a window, checked as the server will check it (a usage error, exit 2, when unusable).</summary>
    private static Option<string?> WindowOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is not null && !Core.History.TimeWindow.TryParseEnd(text, name.TrimStart('-'), TimeProvider.System.GetUtcNow(), out _, out var error))
            {
                result.AddError($"{name}: {error}");
            }
        });
        return option;
    }

    private static void Print(JsonElement stats)
    {
        if (stats.TryGetProperty("since", out var from) && stats.TryGetProperty("until", out var to))
        {
            Console.Out.WriteLine($"from {from.GetString()} to {to.GetString()} (history)");
            Console.Out.WriteLine();
        }

        var tasks = TextTable.Create(["task", .. _requestColumns]);
        foreach (var t in Json.Members(Json.Object(stats, "tasks")))
        {
            TextTable.AddRow(tasks, [t.Name, .. RequestCells(t.Value)]);
        }

        var models = TextTable.Create(["model", .. _requestColumns, "loads", "evictions", "memory", "replicas"]);
        foreach (var m in Json.Members(Json.Object(stats, "models")))
        {
            var status = Json.Object(m.Value, "status");
            var memory = Json.Number(m.Value, "memory_bytes") is > 0 and var bytes ? ByteSizes.Format((long)bytes) : Json.None;
            TextTable.AddRow(models, [m.Name, .. RequestCells(m.Value), Json.Text(m.Value, "loads"), Json.Text(m.Value, "evictions"), memory, ModelsCommand.State(status)]);
        }

        Write(tasks, "no task has had a request yet");
        Console.Out.WriteLine();
        Write(models, "no models");
        if (stats.TryGetProperty("devices", out var devices) && devices.ValueKind == JsonValueKind.Array)
        {
            Console.Out.WriteLine();
            foreach (var d in devices.EnumerateArray())
            {
                Console.Out.WriteLine($"{Json.Text(d, "device")}: {ByteSizes.Format((long)Json.Number(d, "used_bytes"))} of {ByteSizes.Format((long)Json.Number(d, "budget_bytes"))} used by models");
            }
        }
    }

    private static void Write(Table table, string empty)
    {
        if (table.Rows.Count == 0)
        {
            Console.Out.WriteLine(empty);
            return;
        }

        TextTable.Write(table);
    }

    private static string[] RequestCells(JsonElement s)
    {
        if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("requests", out _))
        {
            return [.. _requestColumns.Select(_ => Json.None)];
        }

        var outcomes = Json.Object(s, "outcomes");
        var counted = Json.Members(outcomes).Where(o => Json.Number(outcomes, o.Name) > 0).Select(o => $"{o.Name} {o.Value.GetRawText()}").ToList();
        var outcomeText = counted.Count > 0 ? string.Join(", ", counted) : Json.None;
        var reasons = Json.Object(s, "refusals");
        if (reasons.ValueKind == JsonValueKind.Object && Json.Members(reasons).Any())
        {
            outcomeText += " (" + string.Join(", ", Json.Members(reasons).Select(r => $"{r.Name} {r.Value.GetRawText()}")) + ")";
        }

        var slo = s.TryGetProperty("slo_attainment", out var a) && a.ValueKind == JsonValueKind.Number
            ? string.Create(CultureInfo.InvariantCulture, $"{a.GetDouble() * 100:0.#}%")
            : Json.None;
        return
        [
            Json.Text(s, "requests"),
            outcomeText,
            Percentiles(Json.Object(s, "latency_ms")),
            Percentiles(Json.Object(s, "queue_ms")),
            Percentiles(Json.Object(s, "ttft_ms")),
            $"{Json.Text(s, "tokens_in")}/{Json.Text(s, "tokens_out")}",
            slo,
        ];
    }

    private static string Percentiles(JsonElement summary) => Json.Number(summary, "count") > 0
        ? $"{Json.Format(Json.Number(summary, "p50"))}/{Json.Format(Json.Number(summary, "p95"))}/{Json.Format(Json.Number(summary, "p99"))}"
        : Json.None;
}
