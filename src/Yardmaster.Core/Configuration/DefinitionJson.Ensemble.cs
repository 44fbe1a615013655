using System.Globalization;
using System.Text.Json;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

/// <content>A task's <c>cache</c> and <c>ensemble</c> objects.</content>
public static partial class DefinitionJson
{
    private static readonly string[] _cacheFields = ["ttl", "max_entries", "max_bytes"];
    private static readonly string[] _ensembleFields = ["members", "combine", "judge", "min_members"];

    private static void WriteCache(Utf8JsonWriter writer, ResultCacheSettings? cache)
    {
        if (cache is null)
        {
            writer.WriteNull("cache");
            return;
        }

        writer.WriteStartObject("cache");
        writer.WriteString("ttl", Durations.Format(cache.Ttl));
        writer.WriteNumber("max_entries", cache.MaxEntries);
        writer.WriteNumber("max_bytes", cache.MaxBytes);
        writer.WriteEndObject();
    }

    private static void WriteEnsemble(Utf8JsonWriter writer, EnsembleSettings? ensemble)
    {
        if (ensemble is null)
        {
            writer.WriteNull("ensemble");
            return;
        }

        writer.WriteStartObject("ensemble");
        writer.WriteStartArray("members");
        foreach (var member in ensemble.Members)
        {
            writer.WriteStringValue(member);
        }

        writer.WriteEndArray();
        writer.WriteString("combine", ensemble.Combine.Name());
        writer.WriteString("judge", ensemble.Judge);
        WriteNumberOrNull(writer, "min_members", ensemble.MinMembers);
        writer.WriteEndObject();
    }

    private static ResultCacheSettings? ReadCache(JsonObjectReader r)
    {
        if (!r.TryGet("cache", out _))
        {
            return null;
        }

        var cache = r.Object("cache", _cacheFields);
        if (cache is null)
        {
            return null;
        }

        var defaults = new ResultCacheSettings();
        return new ResultCacheSettings
        {
            Ttl = cache.Duration("ttl", positive: true) ?? defaults.Ttl,
            MaxEntries = cache.Int("max_entries", 1) ?? defaults.MaxEntries,
            MaxBytes = cache.Size("max_bytes") ?? defaults.MaxBytes,
        };
    }

    private static EnsembleSettings? ReadEnsemble(JsonObjectReader r)
    {
        if (!r.TryGet("ensemble", out _))
        {
            return null;
        }

        var e = r.Object("ensemble", _ensembleFields);
        if (e is null)
        {
            return null;
        }

        var members = new List<string>();
        if (e.Require("members") && e.TryGet("members", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                e.Fail("members", "a non-empty array of model or task names", list);
            }
            else
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var path = string.Create(CultureInfo.InvariantCulture, $"members[{index++}]");
                    if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } name)
                    {
                        e.Fail(path, "a non-empty string", item);
                    }
                    else
                    {
                        members.Add(name);
                    }
                }
            }
        }

        return new EnsembleSettings
        {
            Members = members,
            Combine = e.Choice("combine", EnsembleCombines.All) ?? EnsembleCombine.First,
            Judge = e.String("judge"),
            MinMembers = e.Int("min_members", 1),
        };
    }
}
