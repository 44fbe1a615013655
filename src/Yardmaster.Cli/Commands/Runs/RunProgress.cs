using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>
/// Shows a run while it runs, from the API's JSON polled a few times a second: on a terminal a live table
/// (steps, states, attempts, durations) under a progress bar; otherwise one line per step state change.
/// </summary>
internal static class RunProgress
{
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Polls until the run ends; returns its final JSON (null when the run disappeared).</summary>
    public static async Task<JsonElement?> FollowAsync(IRunsBackend backend, string runId, bool quiet, CancellationToken cancellationToken)
    {
        if (quiet)
        {
            if (backend.Ended(runId, cancellationToken) is { } ended)
            {
                await ended.ConfigureAwait(false);
                return await backend.GetAsync(runId, transitions: false, cancellationToken).ConfigureAwait(false);
            }

            return await PollAsync(backend, runId, _ => { }, cancellationToken).ConfigureAwait(false);
        }

        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            JsonElement? last = null;
            await AnsiConsole.Live(new Text(string.Empty)).AutoClear(false).StartAsync(async context =>
            {
                last = await PollAsync(backend, runId, run =>
                {
                    context.UpdateTarget(Render(run));
                    context.Refresh();
                }, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return last;
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        return await PollAsync(backend, runId, run =>
        {
            foreach (var step in run.GetProperty("steps").EnumerateArray())
            {
                var id = step.GetProperty("id").GetString()!;
                var state = step.GetProperty("state").GetString()!;
                var key = state + "/" + step.GetProperty("attempts").GetInt32().ToString(CultureInfo.InvariantCulture);
                if (seen.GetValueOrDefault(id) != key && state != "waiting")
                {
                    seen[id] = key;
                    var reason = step.GetProperty("reason").GetString();
                    Console.WriteLine($"  {id}: {state} (attempt {step.GetProperty("attempts").GetInt32()}){(reason is null || state is "ready" or "running" ? string.Empty : " - " + reason)}");
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Prints the ended run (its JSON, or <see cref="Summarize"/>) and returns the exit code: 0 when it succeeded.</summary>
    public static async Task<int> ReportAsync(JsonElement? final, string runId, bool json)
    {
        if (final is not { } run)
        {
            await Console.Error.WriteLineAsync($"error: run {runId} disappeared").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (json)
        {
            Console.WriteLine(run.GetRawText());
        }
        else
        {
            Summarize(run);
        }

        return run.GetProperty("state").GetString() == "succeeded" ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>One line for the end of a run, and for a failed one the steps that failed with where their logs are.</summary>
    public static void Summarize(JsonElement run)
    {
        var id = run.GetProperty("id").GetString();
        var state = run.GetProperty("state").GetString();
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        var created = run.GetProperty("created_at").GetDateTimeOffset();
        var ended = run.GetProperty("ended_at").ValueKind == JsonValueKind.String ? run.GetProperty("ended_at").GetDateTimeOffset() : TimeProvider.System.GetUtcNow();
        Console.WriteLine($"run {id} ({run.GetProperty("pipeline").GetString()}) {state}: {steps.Count(s => s.GetProperty("state").GetString() == "succeeded")}/{steps.Count} steps succeeded in {(ended - created).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        foreach (var step in steps.Where(s => s.GetProperty("state").GetString() is "failed"))
        {
            Console.WriteLine($"  {step.GetProperty("id").GetString()} failed: {step.GetProperty("reason").GetString()} (yard logs {id} {step.GetProperty("id").GetString()})");
        }
    }

    private static async Task<JsonElement?> PollAsync(IRunsBackend backend, string runId, Action<JsonElement> show, CancellationToken cancellationToken)
    {
        // Embedded, the scheduler says when the run ends, so the last poll does not wait out the interval.
        var ended = backend.Ended(runId, cancellationToken);
        while (true)
        {
            if (await backend.GetAsync(runId, transitions: false, cancellationToken).ConfigureAwait(false) is not { } run)
            {
                return null;
            }

            show(run);
            if (run.GetProperty("state").GetString() != "running")
            {
                return run;
            }

            var delay = Task.Delay(_poll, cancellationToken);
            await (ended is null ? delay : Task.WhenAny(ended, delay)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static Rows Render(JsonElement run)
    {
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        var done = steps.Count(s => s.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled" or "skipped");
        var width = 30;
        var filled = steps.Count == 0 ? 0 : done * width / steps.Count;
        var header = new Markup($"[bold]run {run.GetProperty("id").GetString()}[/] {Markup.Escape(run.GetProperty("pipeline").GetString()!)} [grey]{run.GetProperty("state").GetString()}[/]  [green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {done}/{steps.Count}");
        var table = new Table().Border(TableBorder.Simple).AddColumns("step", "state", "attempts", "duration", "reason");
        var now = TimeProvider.System.GetUtcNow(); // the terminal's clock: how long a step has run, as the user sees it
        var shown = steps.Where(s => s.GetProperty("state").GetString() != "waiting")
            .OrderBy(s => s.GetProperty("state").GetString() switch { "running" => 0, "failed" => 1, "retrying" => 2, "ready" => 3, _ => 4 })
            .Take(25);
        foreach (var step in shown)
        {
            var started = step.GetProperty("started_at").ValueKind == JsonValueKind.String ? step.GetProperty("started_at").GetDateTimeOffset() : (DateTimeOffset?)null;
            var ended = step.GetProperty("ended_at").ValueKind == JsonValueKind.String ? step.GetProperty("ended_at").GetDateTimeOffset() : now;
            var state = step.GetProperty("state").GetString()!;
            var color = state switch { "succeeded" => "green", "failed" => "red", "running" => "yellow", "retrying" => "orange1", _ => "grey" };
            table.AddRow(
                Markup.Escape(step.GetProperty("id").GetString()!),
                $"[{color}]{state}[/]",
                step.GetProperty("attempts").GetInt32().ToString(CultureInfo.InvariantCulture),
                started is { } s ? (ended - s).TotalSeconds.ToString("0.0s", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(step.GetProperty("reason").GetString() ?? string.Empty));
        }

        return new Rows(header, table);
    }
}
