using System.CommandLine;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard retry RUN [STEP]</c>: runs an ended run's failed, cancelled and skipped steps again (or one step and what it skipped), with progress.</summary>
internal static class RetryCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "The run id" };
        var step = new Argument<string?>("step") { Description = "Only this step (and the steps it skipped)", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputOption.Create();
        var target = new RunTargetOptions();
        var command = new Command("retry", "Retry an ended run's failed steps; exit 0 when the run then succeeds.") { run, step, output };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            var id = parse.GetValue(run)!;
            if (await backend.RetryAsync(id, parse.GetValue(step), ct).ConfigureAwait(false) is { } error)
            {
                await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var json = parse.GetValue(output) == OutputFormat.Json;
            var final = await RunProgress.FollowAsync(backend, id, quiet: json, ct).ConfigureAwait(false);
            return await RunProgress.ReportAsync(final, id, json).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }
}
