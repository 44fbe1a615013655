using System.Text.Json;

namespace Yardmaster.Server.Caching;

/// <summary>The <c>cache</c> object of <c>/api/stats</c>: per task with a cache, lookups by outcome and what it holds against its limits.</summary>
internal static class CacheJson
{
    public static void Write(Utf8JsonWriter json, ResultCache cache)
    {
        json.WriteStartObject("cache");
        foreach (var (task, counts, settings) in cache.Snapshot())
        {
            json.WriteStartObject(task);
            json.WriteNumber("hits", counts.Hits);
            json.WriteNumber("misses", counts.Misses);
            json.WriteNumber("bypasses", counts.Bypasses);
            json.WriteNumber("entries", counts.Entries);
            json.WriteNumber("bytes", counts.Bytes);
            json.WriteNumber("evictions", counts.Evictions);
            json.WriteNumber("max_entries", settings.MaxEntries);
            json.WriteNumber("max_bytes", settings.MaxBytes);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
