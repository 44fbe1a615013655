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
            var json = parse.GetValue(format) == OutputFormat.Json;
            var waiting = parse.GetValue(wait);
            // The failures before the load: one more after it means this load failed (a later restart clears "blocked").
            var failuresBefore = load && waiting ? Failures(await client.GetAsync(path, token).ConfigureAwait(false)) : 0;
            var accepted = await client.PostAsync($"{path}/{verb}", token).ConfigureAwait(false);
            string state;
            using (var answer = JsonDocument.Parse(accepted))
            {
                state = Json.Text(answer.RootElement, "state");
            }

            var nothingLoaded = !load && state == "unloaded";
            if (!waiting || nothingLoaded)
            {
                if (json)
                {
                    ServerCall.WriteJson(accepted);
                }
                else
                {
                    Console.Out.WriteLine(nothingLoaded ? $"{model}: not loaded; nothing to unload" : $"{model}: {(load ? "loading" : "unloading")} (see 'yard models')");
                }

                return ExitCodes.Ok;
            }

            var body = await WaitAsync(client, model, path, load, failuresBefore, TimeSpan.FromSeconds(parse.GetValue(timeout)), token).ConfigureAwait(false);
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

    private static int Failures(string body)
    {
        using var document = JsonDocument.Parse(body);
        return (int)Json.Number(Json.Object(document.RootElement, "status"), "failures");
    }

    /// <summary>
    /// Polls the model until a replica is ready (load) or none is left (unload); returns its last JSON. A load that
    /// failed (the model's failures grew) or that no replica carries any more ends at once with the server's reason.
    /// </summary>
    private static async Task<string> WaitAsync(YardApiClient client, string model, string path, bool load, int failuresBefore, TimeSpan timeout, CancellationToken cancellationToken)
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

                if (load && Json.Number(status, "failures") > failuresBefore)
                {
                    var reason = Json.Text(status, "last_failure") is var f && f != Json.None ? f : Json.Text(status, "blocked");
                    throw new ServerCallException($"{model}: {reason}\n  see 'yard models' and the server's log");
                }

                if (load && !states.Contains("loading"))
                {
                    var blocked = Json.Text(status, "blocked");
                    throw new ServerCallException($"{model}: no replica is loading any more{(blocked == Json.None ? " (unloaded meanwhile?)" : ": " + blocked)}; see 'yard models'");
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
