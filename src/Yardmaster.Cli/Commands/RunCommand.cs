using System.CommandLine;
using System.Runtime.InteropServices;
using Yardmaster.Cli.Commands.Runs;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard run FILE.yaml</c>: validates and submits a pipeline, shows its progress, exits 0 when the run succeeds.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The pipeline file (YAML)" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Submit and print the run id without waiting (with --server)" };
        var check = new Option<bool>("--check") { Description = "Only validate the pipeline (every error, exit 2) and start nothing" };
        var output = OutputOption.Create();
        var target = new RunTargetOptions();
        var command = new Command("run", "Run a pipeline: validate it (every error at once), submit it, show its progress; exit 0 when it succeeds.") { file, detach, check, output };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunBackendCall.RunAsync(parse, target, async (backend, ct) =>
        {
            var path = parse.GetValue(file)!;
            string yaml;
            try
            {
                yaml = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : e.Message)}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(check))
            {
                var problems = await backend.ValidateAsync(yaml, Path.GetFullPath(path), ct).ConfigureAwait(false);
                if (problems.IsEmpty)
                {
                    Console.WriteLine($"{path}: valid ({backend.Describe})");
                    return ExitCodes.Ok;
                }

                await problems.WriteAsync($" in {path}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            // The full path: a relative workdir resolves against the file's folder, also on a server.
            var (id, errors) = await backend.SubmitAsync(yaml, Path.GetFullPath(path), ct).ConfigureAwait(false);
            if (id is null)
            {
                await errors.WriteAsync($" in {path}; nothing was started").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var json = parse.GetValue(output) == OutputFormat.Json;
            if (parse.GetValue(detach) && backend is RemoteRuns)
            {
                Console.WriteLine(json ? $"{{\"id\":\"{id}\"}}" : id);
                return ExitCodes.Ok;
            }

            if (!json)
            {
                Console.WriteLine($"run {id} submitted ({backend.Describe})");
            }

            // Which signal stopped us, for the reason the run records (the handlers leave the default handling on).
            PosixSignal? signal = null;
            using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => signal ??= PosixSignal.SIGINT);
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => signal ??= PosixSignal.SIGTERM);
            System.Text.Json.JsonElement? final;
            try
            {
                final = await RunProgress.FollowAsync(backend, id, quiet: json, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested && backend is EmbeddedRuns)
            {
                // Ctrl+C stops an embedded run like make stops its build: its steps are killed.
                var reason = signal == PosixSignal.SIGTERM ? "cancelled: yard run received SIGTERM" : "cancelled with Ctrl-C";
                await backend.CancelAsync(id, reason, CancellationToken.None).ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"run {id} {reason}").ConfigureAwait(false);
                return ExitCodes.Canceled;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // A server's run is the server's: leaving only stops watching it.
                var server = backend.Describe;
                await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await Console.Error.WriteLineAsync(
                    $"stopped watching; run {id} continues on {server}\n" +
                    $"  cancel it: yard cancel {id} --server {server}\n" +
                    $"  watch it:  yard runs {id} --watch --server {server}").ConfigureAwait(false);
                return ExitCodes.Canceled;
            }

            return await RunProgress.ReportAsync(final, id, json).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }
}
