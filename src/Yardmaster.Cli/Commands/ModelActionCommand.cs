using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard models load NAME</c> and <c>yard models unload NAME</c>: <c>POST /api/models/{name}/load|unload</c>,
/// which the server accepts (202) and carries out in the background; <c>--wait</c> polls until it is done.
/// </summary>
internal static class ModelActionCommand
{
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create(bool load)
    {
        var verb = load ? "load" : "unload";
        var server = new ServerOptions();
        var format = OutputOption.Create();
        var name = new Argument<string>("name") { Description = $"The model to {verb}" };
        var wait = new Option<bool>("--wait") { Description = load ? "Wait until a replica is ready" : "Wait until every replica is unloaded" };
        var timeout = new Option<int>("--timeout")
        {
            Description = "With --wait: give up after this many seconds (exit 1)",
            DefaultValueFactory = _ => 300,
        };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--timeout must be at least 1 second");
            }
        });
        var command = new Command(verb, load ? "Load a model now (a replica starts unless one is ready)." : "Unload a model's idle replicas now.")
        {
            name, wait, timeout, format,
        };
        server.AddTo(command);
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var model = parse.GetRequiredValue(name);
            var path = $"api/models/{Uri.EscapeDataString(model)}";
            var accepted = await client.PostAsync($"{path}/{verb}", token).ConfigureAwait(false);
            var json = parse.GetValue(format) == OutputFormat.Json;
            if (!parse.GetValue(wait))
            {
                if (json)
                {
                    ServerCall.WriteJson(accepted);
                }
                else
                {
                    Console.Out.WriteLine($"{model}: {(load ? "loading" : "unloading")} (see 'yard models')");
                }

                return ExitCodes.Ok;
            }

            var body = await WaitAsync(client, path, load, TimeSpan.FromSeconds(parse.GetValue(timeout)), token).ConfigureAwait(false);
            if (json)
            {
                ServerCall.WriteJson(body);
            }
            else
            {
                using var document = JsonDocument.Parse(body);
                var status = Json.Object(document.RootElement, "status");
                Console.Out.WriteLine($"{model}: {ModelsCommand.State(status)}{(load ? ", " + ModelsCommand.Memory(status) : string.Empty)}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>Polls the model until a replica is ready (load) or none is left (unload); returns its last JSON.</summary>
    private static async Task<string> WaitAsync(YardApiClient client, string path, bool load, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var body = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            using (var document = JsonDocument.Parse(body))
            {
                var status = Json.Object(document.RootElement, "status");
                var states = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("replicas", out var r)
                    ? r.EnumerateArray().Select(x => Json.Text(x, "state")).ToList()
                    : [];
                if (load ? states.Contains("ready") : states.All(s => s == "unloaded"))
                {
                    return body;
                }

                if (load && states.Count > 0 && states.All(s => s == "failed"))
                {
                    throw new ServerCallException($"{path}: the load failed ({ModelsCommand.State(status)}); see the server's log");
                }
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new ServerCallException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: not {(load ? "ready" : "unloaded")} after {timeout.TotalSeconds:0} s; see 'yard models'"));
            }

            await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
