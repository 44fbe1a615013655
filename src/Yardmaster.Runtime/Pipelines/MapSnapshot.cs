using System.Text.Json;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// The items of a <c>map:</c> step as they were expanded, kept in the run's folder (<c>DATA/runs/RUN/map/STEP.json</c>) with
/// the number of the expansion's first attempt. After a restart the step goes on with these items even when the file or
/// glob they came from changed meanwhile; a retry that finds the same items again reruns only those that did not succeed
/// (attempts from this number on). Written once per expansion, atomically (a temporary file, flushed, renamed). Thread-safe.
/// </summary>
internal static class MapSnapshot
{
    public static string PathOf(string runsDirectory, string runId, string stepId) => Path.Combine(runsDirectory, runId, "map", stepId + ".json");

    /// <summary>Writes the snapshot; null, or why it could not be written (the step goes on; a restart then reads the items again).</summary>
    public static string? Write(string path, int firstAttempt, IReadOnlyList<string> items)
    {
        var temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var json = new Utf8JsonWriter(file))
                {
                    json.WriteStartObject();
                    json.WriteNumber("first_attempt", firstAttempt);
                    json.WriteStartArray("items");
                    foreach (var item in items)
                    {
                        json.WriteStringValue(item);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return $"the map's items could not be kept in {path}: {e.Message}";
        }
    }

    /// <summary>The snapshot, or null when there is none or it cannot be read (a run from before snapshots, a damaged file).</summary>
    public static (int FirstAttempt, IReadOnlyList<string> Items)? Read(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("first_attempt", out var first) || first.ValueKind != JsonValueKind.Number || !first.TryGetInt32(out var firstAttempt)
                || !root.TryGetProperty("items", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var items = new List<string>(list.GetArrayLength());
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                items.Add(item.GetString()!);
            }

            return (firstAttempt, items);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string JSON holds but UTF-16 cannot (an escaped lone surrogate).
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
