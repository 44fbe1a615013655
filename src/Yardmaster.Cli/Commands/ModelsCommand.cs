using System.CommandLine;
using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard models</c>: the models of a running server with their live state (<c>GET /api/models</c>), and
/// <c>yard models load|unload NAME</c>.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var server = new ServerOptions();
        var format = OutputOption.Create();
        var command = new Command("models", "List the models of a running server: replicas and their state, memory, queue; load or unload one.") { format };
        server.AddTo(command);
        command.Subcommands.Add(ModelActionCommand.Create(load: true));
        command.Subcommands.Add(ModelActionCommand.Create(load: false));
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var body = await client.GetAsync("api/models", token).ConfigureAwait(false);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                ServerCall.WriteJson(body);
                return ExitCodes.Ok;
            }

            using var document = JsonDocument.Parse(body);
            Print(document.RootElement);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>"unloaded", "ready", "2 ready, loading"; with the reason when loads are blocked.</summary>
    public static string State(JsonElement status)
    {
        var replicas = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("replicas", out var r) ? r.EnumerateArray().ToList() : [];
        var states = replicas.Count == 0
            ? "unloaded"
            : string.Join(", ", replicas.GroupBy(x => Json.Text(x, "state")).Select(g => g.Count() == 1 ? g.Key : $"{g.Count()} {g.Key}"));
        return Json.Text(status, "blocked") is var blocked && blocked != Json.None ? $"{states} (blocked: {blocked})" : states;
    }

    /// <summary>The measured memory of the replicas, else the estimate prefixed with ~.</summary>
    public static string Memory(JsonElement status)
    {
        var replicas = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("replicas", out var r) ? r.EnumerateArray().ToList() : [];
        var used = replicas.Sum(x => (long)Json.Number(x, "memory_bytes"));
        if (used > 0)
        {
            return ByteSize.Format(used);
        }

        var estimate = (long)Json.Number(status, "memory_estimate_bytes");
        return estimate > 0 ? "~" + ByteSize.Format(estimate) : Json.None;
    }

    private static void Print(JsonElement models)
    {
        if (models.GetArrayLength() == 0)
        {
            Console.Out.WriteLine("no models; add one to yard.yaml or POST /api/models");
            return;
        }

        var table = TextTable.Create("name", "backend", "replicas", "memory", "queued", "in flight");
        foreach (var m in models.EnumerateArray())
        {
            var status = Json.Object(m, "status");
            TextTable.AddRow(table,
                Json.Text(m, "name"),
                Json.Text(m, "backend"),
                State(status),
                Memory(status),
                Json.Text(status, "queued"),
                Json.Text(status, "in_flight"));
        }

        TextTable.Write(table);
    }
}
