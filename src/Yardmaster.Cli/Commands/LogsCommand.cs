using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard logs RUN STEP [-f]</c>: a step's output (stdout and stderr), of its latest attempt unless <c>--attempt</c>.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "The run id" };
        var step = new Argument<string>("step") { Description = "The step id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the attempt writes until it ends" };
        var attempt = new Option<int?>("--attempt") { Description = "Which attempt (default: the latest)" };
        var target = new RunTargetOptions();
        var command = new Command("logs", "Print a step's log.") { run, step, follow, attempt };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            await using var stdout = Console.OpenStandardOutput();
            var error = await backend.LogsAsync(parse.GetValue(run)!, parse.GetValue(step)!, parse.GetValue(attempt), parse.GetValue(follow), stdout, ct).ConfigureAwait(false);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
