using System.CommandLine;
using System.Text;
using Yardmaster.Core.History;
using Yardmaster.Server.Reports;
using Yardmaster.Storage;

namespace Yardmaster.Cli.Commands.History;

/// <summary>
/// <c>yard report</c>: a self-contained HTML or Markdown file over a window of the history (tables and SVG plots of
/// requests, latency, SLO, queue time, models, nodes and runs, and the worst offenders). It reads the store, so it works
/// with the server stopped; with <c>--server</c> the running server renders it (what it has not written yet included).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var store = new StoreTarget();
        var server = new ServerOptions(store.DataOption);
        var since = new Option<string>("--since") { Description = "Start: a duration back from now (24h, 7d) or an ISO 8601 time", DefaultValueFactory = _ => "7d" };
        var until = new Option<string?>("--until") { Description = "End: a duration back from now or an ISO 8601 time; default now" };
        var output = new Option<string?>("--out", "-o") { Description = "File to write (default report.html, or report.md with --format md); - for standard output" };
        var format = new Option<string?>("--format") { Description = "html (default, or from --out's extension) or md" };
        format.AcceptOnlyFromAmong("html", "md");
        var command = new Command("report", "Write a report of a window of the history (default the last 7 days) with plots, from the store (the server may be stopped) or from a running server (--server).") { since, until, output, format };
        store.AddTo(command);
        server.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(output);
            var kind = parse.GetValue(format) ?? (file?.EndsWith(".md", StringComparison.OrdinalIgnoreCase) == true ? "md" : "html");
            file ??= kind == "md" ? "report.md" : "report.html";
            var reportFormat = kind == "md" ? ReportFormat.Markdown : ReportFormat.Html;
            var window = TimeWindow.Parse(parse.GetValue(since)!, parse.GetValue(until), TimeProvider.System.GetUtcNow(), out var error);
            if (window is null)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            string text;
            var remote = parse.GetResult(server.ServerOption) is not null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServerOptions.ServerVariable));
            if (remote)
            {
                string? fetched = null;
                var code = await ServerCall.RunAsync(parse, server, async (client, token) =>
                {
                    // Explicit instants, so the server's window is the one computed here.
                    fetched = await client.GetAsync($"api/report?since={Uri.EscapeDataString(window.Since.UtcDateTime.ToString("O"))}&until={Uri.EscapeDataString(window.Until.UtcDateTime.ToString("O"))}&format={kind}", token).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }, ct).ConfigureAwait(false);
                if (fetched is null)
                {
                    return code;
                }

                text = fetched;
            }
            else
            {
                var (settings, storeError) = store.Resolve(parse);
                if (settings is null)
                {
                    await Console.Error.WriteLineAsync($"error: {storeError}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                await using var history = await StoreOpener.OpenHistoryAsync(settings, settings.Path ?? "", TimeProvider.System, null, ct).ConfigureAwait(false);
                await using var runs = await StoreOpener.OpenRunsAsync(settings, settings.Path ?? "", TimeProvider.System, fence: null, ct).ConfigureAwait(false);
                text = await Report.RenderAsync(window, history, runs, reportFormat, live: null, ct).ConfigureAwait(false);
            }

            if (file == "-")
            {
                await Console.Out.WriteAsync(text).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await File.WriteAllTextAsync(file, text, new UTF8Encoding(false), ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"report of {window.Since.UtcDateTime:yyyy-MM-dd HH:mm} to {window.Until.UtcDateTime:yyyy-MM-dd HH:mm} UTC written to {file}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
