using System.Text.Json.Nodes;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Docker;

/// <summary>
/// The executor's files in an attempt directory: <c>docker-container</c> (the container's name and id, written
/// right after create, for people debugging; reattach goes by name) and <c>docker-exit.json</c> (the outcome,
/// written before the container is removed, so an attempt that ended and was cleaned up while the scheduler was
/// down is still reported).
/// </summary>
internal static class DockerAttemptFiles
{
    private const string ContainerFile = "docker-container";
    private const string ExitFile = "docker-exit.json";

    public static Task WriteContainerAsync(string attemptDirectory, string name, string id, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(attemptDirectory);
        return File.WriteAllTextAsync(Path.Combine(attemptDirectory, ContainerFile), $"name={name}\nid={id}\n", cancellationToken);
    }

    public static async Task WriteExitAsync(string attemptDirectory, StepExit exit, CancellationToken cancellationToken)
    {
        var json = new JsonObject { ["ExitCode"] = exit.ExitCode, ["Signal"] = exit.Signal, ["OomKilled"] = exit.OomKilled };
        Directory.CreateDirectory(attemptDirectory);
        var path = Path.Combine(attemptDirectory, ExitFile);

        // Written aside then renamed, so a crash never leaves half an outcome behind.
        await File.WriteAllTextAsync(path + ".tmp", json.ToJsonString(), cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The recorded outcome; null when none was written (or it is unreadable).</summary>
    public static async Task<StepExit?> ReadExitAsync(string attemptDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(attemptDirectory, ExitFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken));
            return new StepExit(
                json?["ExitCode"]?.GetValue<int>(),
                json?["Signal"]?.GetValue<int>(),
                json?["OomKilled"]?.GetValue<bool>() ?? false);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
