using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;
using Yardmaster.Storage;

namespace Yardmaster.Cli.Commands.History;

/// <summary>
/// <c>yard history export</c>: the request log as a trace. <c>csv</c> has the columns of the public Azure LLM traces first
/// (<c>TIMESTAMP,ContextTokens,GeneratedTokens</c>), then what Yardmaster knows besides; <c>jsonl</c> the fields of the
/// Mooncake trace (<c>timestamp</c> in ms from the first request, <c>input_length</c>, <c>output_length</c>) and the same extras.
/// </summary>
internal static class HistoryCommand
{
    private const string CsvHeader = "TIMESTAMP,ContextTokens,GeneratedTokens,task,model,priority,queue_ms,ttft_ms,latency_ms,outcome,reason,request_id";

    public static Command Create()
    {
        var history = new Command("history", "The history the server keeps in its store: export the request log as a trace.");
        history.Subcommands.Add(Export());
        return history;
    }

    private static Command Export()
    {
        var store = new StoreTarget();
        var format = new Option<string>("--format") { Description = "csv (the Azure LLM trace's columns first) or jsonl (the Mooncake trace's fields first)", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var since = new Option<string>("--since") { Description = "Start: a duration back from now (1h, 7d) or an ISO 8601 time", DefaultValueFactory = _ => "30d" };
        var until = new Option<string?>("--until") { Description = "End: a duration back from now or an ISO 8601 time; default now" };
        var output = new Option<string?>("--out", "-o") { Description = "File to write (default standard output)" };
        var command = new Command("export", "Write the request log (one row per request: arrival, tokens in and out, task, model, class, queue time, TTFT, latency, outcome) as a trace.") { format, since, until, output };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var (settings, error) = store.Resolve(parse);
            var window = error is null ? TimeWindow.Parse(parse.GetValue(since)!, parse.GetValue(until), TimeProvider.System.GetUtcNow(), out error) : null;
            if (settings is null || window is null)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await using var history = await StoreOpener.OpenHistoryAsync(settings, settings.Path ?? "", TimeProvider.System, null, ct).ConfigureAwait(false);
            var file = parse.GetValue(output);
            await using var writer = file is null ? Console.Out : new StreamWriter(file, append: false, new UTF8Encoding(false));
            var rows = 0;
            var csv = parse.GetValue(format) == "csv";
            if (csv)
            {
                await writer.WriteLineAsync(CsvHeader).ConfigureAwait(false);
            }

            DateTimeOffset? first = null;
            await foreach (var r in history.ReadRequestsAsync(window.Since, window.Until, ct).ConfigureAwait(false))
            {
                first ??= r.Arrival;
                await writer.WriteLineAsync(csv ? CsvLine(r) : JsonLine(r, first.Value)).ConfigureAwait(false);
                rows++;
            }

            await writer.FlushAsync(ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"{rows} request(s) from {window.Since:O} to {window.Until:O}{(file is null ? "" : " written to " + file)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string CsvLine(RequestLogRecord r) => string.Join(
        ',',
        r.Arrival.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        Number(r.PromptTokens),
        Number(r.OutputTokens),
        Csv(r.Task),
        Csv(r.Model ?? ""),
        Csv(r.Priority ?? ""),
        Milliseconds(r.QueueMs),
        Milliseconds(r.TtftMs),
        Milliseconds(r.LatencyMs),
        Outcome(r.Outcome),
        Csv(r.Reason ?? ""),
        Csv(r.Id));

    private static string JsonLine(RequestLogRecord r, DateTimeOffset first)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("timestamp", (long)(r.Arrival - first).TotalMilliseconds);
            json.WriteNumber("input_length", r.PromptTokens);
            json.WriteNumber("output_length", r.OutputTokens);
            json.WriteString("arrival", r.Arrival.UtcDateTime);
            json.WriteString("task", r.Task);
            Nullable(json, "model", r.Model);
            Nullable(json, "priority", r.Priority);
            NullableNumber(json, "queue_ms", r.QueueMs);
            NullableNumber(json, "ttft_ms", r.TtftMs);
            json.WriteNumber("latency_ms", Math.Round(r.LatencyMs, 3));
            json.WriteString("outcome", Outcome(r.Outcome));
            Nullable(json, "reason", r.Reason);
            json.WriteString("request_id", r.Id);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Nullable(Utf8JsonWriter json, string name, string? value)
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

    private static void NullableNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Outcome(RequestOutcome outcome) => outcome == RequestOutcome.TimedOut ? "timed_out" : outcome.ToString().ToLowerInvariant();

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Milliseconds(double? ms) => ms is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";

    /// <summary>A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.</summary>
    private static string Csv(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
