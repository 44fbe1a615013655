using System.CommandLine;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>Runs a run command's body with its backend: resolves it (exit 2 on a bad target), prints failures as one <c>error:</c> line (exit 1), maps Ctrl+C to 130.</summary>
internal static class RunBackendCall
{
    public static async Task<int> RunAsync(ParseResult parse, RunTargetOptions target, Func<IRunsBackend, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var (backend, client, error) = target.Resolve(parse);
        if (backend is null)
        {
            await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            await using (backend.ConfigureAwait(false))
            {
                return await body(backend, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ServerCallException or InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Canceled;
        }
        finally
        {
            client?.Dispose();
        }
    }
}
