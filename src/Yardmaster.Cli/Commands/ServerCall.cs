using System.Text.Json;
using System.CommandLine;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Runs the body of a command that talks to a server: resolves <see cref="ServerOptions"/> (a bad URL is a
/// usage error, exit 2), prints a <see cref="ServerCallException"/> as one <c>error:</c> line (exit 1), and
/// maps Ctrl+C to <see cref="ExitCodes.Canceled"/>.
/// </summary>
internal static class ServerCall
{
    public static async Task<int> RunAsync(ParseResult parse, ServerOptions server, Func<YardApiClient, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var (target, error) = server.Resolve(parse);
        if (target is null)
        {
            await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var client = new YardApiClient(target);
        try
        {
            return await body(client, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerCallException e)
        {
            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Canceled;
        }
    }

    /// <summary>Writes a server's JSON answer to standard output as it came, ending with a newline.</summary>
    public static void WriteJson(string body) => Console.Out.WriteLine(body.TrimEnd());

    /// <summary>A command that GETs <paramref name="path"/> from the server and prints it with <paramref name="print"/>, or as the server's JSON with <c>--output json</c>.</summary>
    public static Command Listing(string name, string description, string path, Action<JsonElement> print)
    {
        var server = new ServerOptions();
        var format = OutputOption.Create();
        var command = new Command(name, description) { format };
        server.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, server, async (client, token) =>
        {
            var body = await client.GetAsync(path, token).ConfigureAwait(false);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                WriteJson(body);
                return ExitCodes.Ok;
            }

            using var document = JsonDocument.Parse(body);
            print(document.RootElement);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
