using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard tasks</c>: the tasks of a running server (<c>GET /api/tasks</c>) as a table or its JSON.</summary>
internal static class TasksCommand
{
    public static Command Create()
    {
        var command = ServerCall.Listing("tasks", "List the tasks of a running server: priority, SLO, candidate models, limits.", "api/tasks", Print);
        return command;
    }

    private static void Print(JsonElement tasks)
    {
        if (tasks.GetArrayLength() == 0)
        {
            Console.Out.WriteLine("no tasks; add one to yard.yaml or POST /api/tasks");
            return;
        }

        var table = TextTable.Create("name", "priority", "slo ttft", "slo latency", "models", "max concurrency", "rate");
        foreach (var t in tasks.EnumerateArray())
        {
            var slo = t.GetProperty("slo");
            TextTable.AddRow(table,
                Json.Text(t, "name"),
                Json.Text(t, "priority"),
                Json.Text(slo, "ttft"),
                Json.Text(slo, "latency"),
                string.Join(", ", t.GetProperty("models").EnumerateArray().Select(m => m.GetString())),
                Json.Text(t, "max_concurrency"),
                Rate(t.GetProperty("rate")));
        }

        TextTable.Write(table);
    }

    private static string Rate(JsonElement rate) => rate.ValueKind == JsonValueKind.Object
        ? string.Create(CultureInfo.InvariantCulture, $"{rate.GetProperty("per_second").GetDouble():0.###}/s (burst {rate.GetProperty("burst").GetDouble():0.###})")
        : Json.None;
}
