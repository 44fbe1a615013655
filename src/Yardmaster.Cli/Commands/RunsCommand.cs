using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard runs [RUN]</c>: lists runs, newest first, or shows one run's steps and attempts.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var run = new Argument<string?>("run") { Description = "A run id: show its steps, attempts and transitions", Arity = ArgumentArity.ZeroOrOne };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only runs of this pipeline" };
        var limit = new Option<int>("--limit") { Description = "At most this many runs (default 20)", DefaultValueFactory = _ => 20 };
        var output = OutputOption.Create();
        var target = new RunTargetOptions();
        var command = new Command("runs", "List pipeline runs, or show one.") { run, pipeline, limit, output };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            var json = parse.GetValue(output) == OutputFormat.Json;
            if (parse.GetValue(run) is { } id)
            {
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
                var table = TextTable.Create("STEP", "STATE", "ATTEMPTS", "REASON");
                foreach (var step in detail.GetProperty("steps").EnumerateArray())
                {
                    TextTable.AddRow(table, step.GetProperty("id").GetString()!, step.GetProperty("state").GetString()!, step.GetProperty("attempts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), step.GetProperty("reason").GetString() ?? string.Empty);
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
}
