using System.CommandLine;
using System.Text.Json;

using Yardmaster.Core.Units;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard models</c>: the models of a running server with their live state (<c>GET /api/models</c>), and
/// <c>yard models load|unload NAME</c>.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = ServerCall.Listing("models", "List the models of a running server: replicas and their state, memory, queue; load or unload one.", "api/models", Print);
        command.Subcommands.Add(ModelActionCommand.Create(load: true));
        command.Subcommands.Add(ModelActionCommand.Create(load: false));
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
            return ByteSizes.Format(used);
        }

        var estimate = (long)Json.Number(status, "memory_estimate_bytes");
        return estimate > 0 ? "~" + ByteSizes.Format(estimate) : Json.None;
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
