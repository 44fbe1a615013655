using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard cancel RUN</c>: stops a running run; its running steps get SIGTERM, then SIGKILL after the grace period.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "The run id" };
        var target = new RunTargetOptions();
        var command = new Command("cancel", "Cancel a running run: kill its running steps and their process groups.") { run };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            var id = parse.GetValue(run)!;
            if (await backend.CancelAsync(id, "cancelled with yard cancel", ct).ConfigureAwait(false) is { } error)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            Console.WriteLine($"run {id} cancelled");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
