using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard runs [RUN] [--watch]</c>: lists runs, newest first, or shows one run's steps and attempts, or follows one live until it ends.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var run = new Argument<string?>("run") { Description = "A run id: show its steps, attempts and transitions", Arity = ArgumentArity.ZeroOrOne };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only runs of this pipeline" };
        var limit = new Option<int>("--limit") { Description = "At most this many runs (default 20)", DefaultValueFactory = _ => 20 };
        var watch = new Option<bool>("--watch", "-w") { Description = "With RUN: show its progress live until it ends; exit 0 when it succeeded, 1 otherwise (as 'yard run')" };
        var output = OutputOption.Create();
        var target = new RunTargetOptions();
        var command = new Command("runs", "List pipeline runs, or show one, or watch one until it ends.") { run, pipeline, limit, watch, output };
        command.Validators.Add(r =>
        {
            if (r.GetValue(watch) && r.GetValue(run) is null)
            {
                r.AddError("--watch needs a run id: yard runs RUN --watch");
            }
        });
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            var json = parse.GetValue(output) == OutputFormat.Json;
            if (parse.GetValue(watch) && parse.GetValue(run) is { } watched)
            {
                return await WatchAsync(backend, watched, json, ct).ConfigureAwait(false);
            }

            if (parse.GetValue(run) is { } one)
            {
                var id = one;
                if (await backend.GetAsync(id, transitions: true, ct).ConfigureAwait(false) is not { } detail)
                {
                    await Console.Error.WriteLineAsync($"error: there is no run '{id}'").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                if (json)
                {
                    Console.WriteLine(detail.GetRawText());
                    return ExitCodes.Ok;
                }

                RunProgress.Summarize(detail);
                var table = TextTable.Create("STEP", "STATE", "ATTEMPTS", "OUTPUTS", "REASON");
                foreach (var step in detail.GetProperty("steps").EnumerateArray())
                {
                    TextTable.AddRow(table, step.GetProperty("id").GetString()!, StepState(step), step.GetProperty("attempts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), Outputs(step), step.GetProperty("reason").GetString() ?? string.Empty);
                }

                TextTable.Write(table);
                return ExitCodes.Ok;
            }

            var list = await backend.ListAsync(parse.GetValue(pipeline), Math.Max(1, parse.GetValue(limit)), ct).ConfigureAwait(false);
            if (json)
            {
                Console.WriteLine(list.GetRawText());
                return ExitCodes.Ok;
            }

            var runs = TextTable.Create("RUN", "PIPELINE", "PRIORITY", "STATE", "CREATED", "REASON");
            foreach (var r in list.GetProperty("runs").EnumerateArray())
            {
                TextTable.AddRow(runs, r.GetProperty("id").GetString()!, r.GetProperty("pipeline").GetString()!, r.GetProperty("priority").GetString()!, r.GetProperty("state").GetString()!,
                    r.GetProperty("created_at").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), r.GetProperty("reason").GetString() ?? string.Empty);
            }

            TextTable.Write(runs);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>Follows a run with the progress of <c>yard run</c> until it ends; the exit code is <c>yard run</c>'s.</summary>
    private static async Task<int> WatchAsync(IRunsBackend backend, string id, bool json, CancellationToken cancellationToken)
    {
        if (await backend.GetAsync(id, transitions: false, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            await Console.Error.WriteLineAsync($"error: there is no run '{id}'").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var state = current.GetProperty("state").GetString();
        if (state == "running" && backend is EmbeddedRuns embedded && Server.Pipelines.DataFolderLock.InUse(embedded.DataDirectory) is null)
        {
            // Nothing would ever move it: its scheduler stopped (killed, or the server is down).
            await Console.Error.WriteLineAsync($"error: run {id} is unfinished but no scheduler is running it on {embedded.DataDirectory}; continue it with 'yard resume', or watch it on a server with --server URL").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (!json)
        {
            Console.WriteLine($"run {id} ({current.GetProperty("pipeline").GetString()}) {state} ({backend.Describe})");
        }

        var final = await RunProgress.FollowAsync(backend, id, quiet: json, cancellationToken).ConfigureAwait(false);
        return await RunProgress.ReportAsync(final, id, json).ConfigureAwait(false);
    }

    /// <summary>The step's state; a mapped step's with its items (<c>running (37/100 items, 2 failed)</c>).</summary>
    private static string StepState(System.Text.Json.JsonElement step)
    {
        var state = step.GetProperty("state").GetString()!;
        if (!step.TryGetProperty("items", out var items))
        {
            return state;
        }

        var failed = items.GetProperty("failed").GetInt32();
        return $"{state} ({items.GetProperty("succeeded").GetInt32()}/{items.GetProperty("total").GetInt32()} items{(failed > 0 ? $", {failed} failed" : string.Empty)})";
    }

    /// <summary>The step's outputs (<c>$YARD_OUTPUTS</c>) as compact JSON, cut at 60 characters.</summary>
    private static string Outputs(System.Text.Json.JsonElement step)
    {
        if (!step.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return string.Empty;
        }

        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            outputs.WriteTo(writer);
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        return text.Length > 60 ? string.Concat(text.AsSpan(0, 59), "…") : text;
    }
}
