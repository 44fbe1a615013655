using System.Globalization;
using System.Text.Json;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

public static partial class DefinitionJson
{
    private static readonly string[] _sloFields = ["ttft", "latency"];
    private static readonly string[] _rateFields = ["per_second", "burst"];
    private static readonly string[] _qualityFields = ["metric", "min"];

    /// <summary>Writes the task as one JSON object (see the type's remarks for the shape).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration of the task is negative.</exception>
    public static void WriteTask(Utf8JsonWriter writer, TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(task);
        writer.WriteStartObject();
        writer.WriteString("name", task.Name);
        writer.WriteString("priority", task.Priority.Name());
        writer.WriteStartObject("slo");
        writer.WriteString("ttft", task.Ttft is { } ttft ? Durations.Format(ttft) : null);
        writer.WriteString("latency", task.Latency is { } latency ? Durations.Format(latency) : null);
        writer.WriteEndObject();
        writer.WriteStartArray("models");
        foreach (var model in task.Models)
        {
            writer.WriteStringValue(model);
        }

        writer.WriteEndArray();
        WriteNumberOrNull(writer, "max_concurrency", task.MaxConcurrency);
        if (task.Rate is { } rate)
        {
            writer.WriteStartObject("rate");
            writer.WriteNumber("per_second", rate.PerSecond);
            writer.WriteNumber("burst", rate.Burst);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("rate");
        }

        writer.WriteNumber("weight", task.Weight);
        if (task.Quality is { } quality)
        {
            writer.WriteStartObject("quality");
            writer.WriteString("metric", quality.Metric);
            writer.WriteNumber("min", quality.Min);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("quality");
        }

        WriteCache(writer, task.Cache);
        WriteEnsemble(writer, task.Ensemble);
        writer.WriteBoolean("from_config", task.FromConfig);
        writer.WriteEndObject();
    }

    private static TaskDefinition? ReadTask(JsonObjectReader r)
    {
        var name = ReadName(r);
        var defaults = new TaskDefinition { Name = name ?? string.Empty };
        var slo = r.Object("slo", _sloFields);
        var task = defaults with
        {
            Priority = r.Choice("priority", _priorities) ?? defaults.Priority,
            Ttft = slo?.Duration("ttft", positive: true),
            Latency = slo?.Duration("latency", positive: true),
            Models = IsEnsembleWithoutModels(r) ? [] : ReadModelNames(r),
            MaxConcurrency = r.Int("max_concurrency", 1),
            Rate = ReadRate(r),
            Weight = r.Number("weight", 0, inclusive: false) ?? defaults.Weight,
            Quality = ReadQuality(r),
            Cache = ReadCache(r),
            Ensemble = ReadEnsemble(r),
        };
        return name is null ? null : task;
    }

    /// <summary>An ensemble names members, not models: <c>models</c> absent or <c>[]</c> (as written).</summary>
    private static bool IsEnsembleWithoutModels(JsonObjectReader r) =>
        r.TryGet("ensemble", out _) && (!r.TryGet("models", out var models) || (models.ValueKind == JsonValueKind.Array && models.GetArrayLength() == 0));

    private static string[] ReadModelNames(JsonObjectReader r)
    {
        if (!r.Require("models") || !r.TryGet("models", out var e))
        {
            return [];
        }

        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0)
        {
            r.Fail("models", "a non-empty array of model names", e);
            return [];
        }

        var names = new List<string>();
        var index = 0;
        foreach (var item in e.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"models[{index++}]");
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } name)
            {
                r.Fail(path, "a non-empty string", item);
            }
            else if (names.Contains(name, StringComparer.Ordinal))
            {
                r.Error($"'{r.PathOf(path)}' repeats \"{name}\"");
            }
            else
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    private static RateLimit? ReadRate(JsonObjectReader r)
    {
        if (!r.TryGet("rate", out var e))
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            if (e.ValueKind == JsonValueKind.String && Quantities.TryParseRate(e.GetString(), out var perSecond, out _))
            {
                return new RateLimit(perSecond, DefaultBurst(perSecond));
            }

            r.Fail("rate", "a rate such as \"50/s\", \"600/m\" or {\"per_second\": 50, \"burst\": 100}", e);
            return null;
        }

        var rate = r.Object("rate", _rateFields);
        if (rate is null || !rate.Require("per_second"))
        {
            return null;
        }

        var perSecondField = rate.Number("per_second", 0, inclusive: false);
        var burst = rate.Int("burst", 1);
        return perSecondField is { } ps ? new RateLimit(ps, burst ?? DefaultBurst(ps)) : null;
    }

    private static QualityFloor? ReadQuality(JsonObjectReader r)
    {
        var quality = r.Object("quality", _qualityFields);
        if (quality is null || !quality.Require("metric") || !quality.Require("min"))
        {
            return null;
        }

        var metric = quality.String("metric");
        var min = quality.Number("min", 0, inclusive: true);
        return metric is not null && min is { } m ? new QualityFloor(metric, m) : null;
    }

    private static int DefaultBurst(double perSecond) => (int)Math.Clamp(Math.Ceiling(perSecond), 1, int.MaxValue);
}
