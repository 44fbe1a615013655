using System.CommandLine;
using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard ps</c>: the queued and running requests of a running server (<c>GET /api/requests</c>): id, task, class,
/// model, state, time waited, predicted start and the replica serving each; or the server's JSON with <c>-o json</c>.
/// </summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var server = new ServerOptions();
        var format = OutputOption.Create();
        format.Aliases.Add("-o");
        var command = new Command("ps", "List the requests a running server has queued or is serving; 'curl /api/requests/ID' tells why one waited or was refused.") { format };
        server.AddTo(command);
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var body = await client.GetAsync("api/requests", token).ConfigureAwait(false);
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

    /// <summary>The table of <c>/api/requests</c>, or a line saying there is none.</summary>
    public static void Print(JsonElement list)
    {
        if (Table(list) is not { } table)
        {
            Console.Out.WriteLine("no requests queued or running");
            return;
        }

        TextTable.Write(table);
    }

    /// <summary>The requests as a table; null when there are none.</summary>
    public static Spectre.Console.Table? Table(JsonElement list)
    {
        var requests = list.TryGetProperty("requests", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().ToList() : [];
        if (requests.Count == 0)
        {
            return null;
        }

        var table = TextTable.Create("id", "task", "class", "model", "state", "waited", "predicted start", "replica");
        foreach (var q in requests)
        {
            var replica = Json.Object(q, "replica");
            TextTable.AddRow(table,
                Json.Text(q, "id"),
                Json.Text(q, "task"),
                Json.Text(q, "class"),
                Json.Text(q, "model"),
                Json.Text(q, "state"),
                Millis(q, "waited_ms"),
                Millis(q, "predicted_start_ms"),
                replica.ValueKind == JsonValueKind.Object ? $"{Json.Text(replica, "number")} ({Json.Text(replica, "device")})" : Json.None);
        }

        return table;
    }

    /// <summary>A duration field in ms for people ("850 ms", "12.3 s"); "-" when null.</summary>
    private static string Millis(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble() >= 10_000 ? Json.Format(v.GetDouble() / 1000) + " s" : Json.Format(v.GetDouble()) + " ms"
            : Json.None;
}
