using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard resume</c>: after an embedded <c>yard run</c> was killed, takes its unfinished runs over (re-attaching to
/// steps still running) and finishes them here; exit 0 when all of them succeed.
/// </summary>
internal static class ResumeCommand
{
    public static Command Create()
    {
        var output = OutputOption.Create();
        var target = new RunTargetOptions();
        var command = new Command("resume", "Finish the unfinished runs of the data folder's store in this process (after a crash).") { output };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            if (backend is not EmbeddedRuns embedded)
            {
                await Console.Error.WriteLineAsync("error: a server resumes its own runs when it starts; resume is for the embedded scheduler (no --server)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var host = await embedded.HostAsync(ct).ConfigureAwait(false);
            var unfinished = (await backend.ListAsync(null, 10_000, ct).ConfigureAwait(false)).GetProperty("runs").EnumerateArray()
                .Where(r => r.GetProperty("state").GetString() == "running").Select(r => r.GetProperty("id").GetString()!).ToList();
            var json = parse.GetValue(output) == OutputFormat.Json;
            var ok = true;
            foreach (var id in unfinished)
            {
                var final = await host.Scheduler.WaitAsync(id, ct).ConfigureAwait(false);
                ok &= final?.State == Core.Pipelines.RunState.Succeeded;
                if (await backend.GetAsync(id, transitions: false, ct).ConfigureAwait(false) is { } detail)
                {
                    if (json)
                    {
                        Console.WriteLine(detail.GetRawText());
                    }
                    else
                    {
                        RunProgress.Summarize(detail);
                    }
                }
            }

            if (!json && unfinished.Count == 0)
            {
                Console.WriteLine("no unfinished runs");
            }

            return ok ? ExitCodes.Ok : ExitCodes.Failure;
        }, cancellationToken));
        return command;
    }
}
