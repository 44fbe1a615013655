using System.Text.Json.Nodes;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>
/// <c>kubernetes-exit.json</c> in an attempt directory: the outcome, written once it is known, so an attempt whose Job
/// was removed afterwards (<c>ttlSecondsAfterFinished</c>) while the scheduler was down is still reported.
/// </summary>
internal static class KubernetesAttemptFiles
{
    private const string ExitFile = "kubernetes-exit.json";

    public static async Task WriteExitAsync(string attemptDirectory, StepExit exit, CancellationToken cancellationToken)
    {
        var json = new JsonObject
        {
            ["ExitCode"] = exit.ExitCode,
            ["Signal"] = exit.Signal,
            ["OomKilled"] = exit.OomKilled,
            ["TimedOut"] = exit.TimedOut,
            ["Error"] = exit.Error,
        };
        Directory.CreateDirectory(attemptDirectory);
        var path = Path.Combine(attemptDirectory, ExitFile);

        // Written aside then renamed, so a crash never leaves half an outcome behind; the aside name is unique, as two
        // handles of one attempt (a start repeated after a crash) may both record it.
        var aside = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(aside, json.ToJsonString(), cancellationToken);
        File.Move(aside, path, overwrite: true);
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
                json?["OomKilled"]?.GetValue<bool>() ?? false,
                json?["Error"]?.GetValue<string>(),
                json?["TimedOut"]?.GetValue<bool>() ?? false);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
