using System.Text.Json;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// The JSON object an attempt writes to <c>$YARD_OUTPUTS</c>: where it goes (<c>WORKDIR/.yard-outputs/ATTEMPT.json</c>, in
/// the run's shared working directory so a container or a cluster job sees it too) and how it is read back once the
/// attempt exits 0: at most <see cref="MaxBytes"/>, a JSON object; anything else fails the attempt.
/// </summary>
internal static class StepOutputs
{
    /// <summary>The largest outputs file accepted: outputs are for small facts (a score, a path, a count), not data.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The folder, under the run's working directory, holding the attempts' outputs files until they are read.</summary>
    public const string Folder = ".yard-outputs";

    /// <summary>The variable the step reads the path from.</summary>
    public const string Variable = "YARD_OUTPUTS";

    /// <summary>Removes an outputs file that was read and whose attempt's outcome is stored; best effort (it is small, and in the run's folder).</summary>
    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the run's working directory; nothing reads it again.
        }
    }

    public static string PathOf(string workingDirectory, string attemptId) => Path.Combine(workingDirectory, Folder, attemptId + ".json");

    /// <summary>
    /// Reads the attempt's outputs file: <c>{}</c> when it wrote none, the object's compact JSON, or an error for people
    /// (too large, not JSON, not an object). It is left in place: the scheduler removes it (<see cref="Remove"/>) once the
    /// outcome is in the store, so that a scheduler stopped before that reads it again after a restart.
    /// </summary>
    public static (string? Json, string? Error) Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ("{}", null);
            }

            if (info.Length > MaxBytes)
            {
                return (null, $"${Variable} holds {info.Length} bytes; at most {MaxBytes} (64 KiB) are read: write large results to a file and its path to ${Variable}");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            return (null, $"${Variable} ({path}) could not be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, $"${Variable} ({path}) could not be read: {e.Message}");
        }

        if (bytes.Length == 0)
        {
            return ("{}", null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, $"${Variable} must hold a JSON object, e.g. {{\"score\": 0.93}}; found a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }

            using var buffer = new MemoryStream(bytes.Length);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                document.RootElement.WriteTo(writer);
            }

            return (System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (JsonException e)
        {
            return (null, $"${Variable} is not valid JSON: {e.Message}");
        }
    }
}
