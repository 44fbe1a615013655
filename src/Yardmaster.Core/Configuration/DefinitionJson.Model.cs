using System.Text.Json;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

public static partial class DefinitionJson
{
    private static readonly string[] _replicaFields = ["min", "max"];

    /// <summary>Writes the model as one JSON object (see the type's remarks for the shape).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration of the model is negative.</exception>
    public static void WriteModel(Utf8JsonWriter writer, ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(model);
        writer.WriteStartObject();
        writer.WriteString("name", model.Name);
        writer.WriteString("backend", _backends.First(b => b.Value == model.Backend).Text);
        writer.WriteString("path", model.Path);
        writer.WriteString("command", model.Command);
        writer.WriteString("image", model.Image);
        writer.WriteString("url", model.Url?.OriginalString);
        writer.WriteString("api_key_env", model.ApiKeyEnv);
        writer.WriteString("upstream_model", model.UpstreamModel);
        writer.WriteString("device", _devices.First(d => d.Value == model.Device).Text);
        WriteNumberOrNull(writer, "memory", model.Memory);
        writer.WriteNumber("slots", model.Slots);
        WriteNumberOrNull(writer, "context", model.Context);
        WriteNumberOrNull(writer, "threads", model.Threads);
        writer.WriteStartObject("replicas");
        writer.WriteNumber("min", model.ReplicasMin);
        writer.WriteNumber("max", model.ReplicasMax);
        writer.WriteEndObject();
        if (model.KeepAlive is { } keepAlive)
        {
            writer.WriteString("keep_alive", Durations.Format(keepAlive));
        }
        else
        {
            writer.WriteNumber("keep_alive", -1);
        }

        writer.WriteBoolean("pinned", model.Pinned);
        if (model.Preempt is { } preempt)
        {
            writer.WriteBoolean("preempt", preempt);
        }
        else
        {
            writer.WriteNull("preempt");
        }

        writer.WriteString("ready_timeout", Durations.Format(model.ReadyTimeout));
        writer.WriteString("stop_grace", Durations.Format(model.StopGrace));
        writer.WriteNumber("cost", model.Cost);
        writer.WriteBoolean("from_config", model.FromConfig);
        writer.WriteEndObject();
    }

    private static ModelDefinition? ReadModel(JsonObjectReader r)
    {
        var name = ReadName(r);
        var defaults = new ModelDefinition { Name = name ?? string.Empty };
        var replicas = r.Object("replicas", _replicaFields);
        var min = replicas?.Int("min", 0) ?? defaults.ReplicasMin;
        var max = replicas?.Int("max", 1) ?? Math.Max(defaults.ReplicasMax, min);
        if (min > max)
        {
            r.Error($"'replicas.min' ({min}) must not exceed 'replicas.max' ({max})");
        }

        var model = defaults with
        {
            Backend = r.Choice("backend", _backends) ?? defaults.Backend,
            Path = r.String("path"),
            Command = r.String("command"),
            Image = r.String("image"),
            Url = ReadUrl(r),
            ApiKeyEnv = r.String("api_key_env"),
            UpstreamModel = r.String("upstream_model"),
            Device = r.Choice("device", _devices) ?? defaults.Device,
            Memory = r.Size("memory"),
            Slots = r.Int("slots", 1) ?? defaults.Slots,
            Context = r.Int("context", 1),
            Threads = r.Int("threads", 1),
            ReplicasMin = min,
            ReplicasMax = max,
            KeepAlive = ReadKeepAlive(r, defaults.KeepAlive),
            Pinned = r.Bool("pinned") ?? defaults.Pinned,
            Preempt = r.Bool("preempt"),
            ReadyTimeout = r.Duration("ready_timeout", positive: true) ?? defaults.ReadyTimeout,
            StopGrace = r.Duration("stop_grace", positive: false) ?? defaults.StopGrace,
            Cost = r.Number("cost", 0, inclusive: true) ?? defaults.Cost,
        };
        return name is null ? null : model;
    }

    private static Uri? ReadUrl(JsonObjectReader r)
    {
        if (!r.TryGet("url", out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String && Uri.TryCreate(e.GetString(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        r.Fail("url", "an absolute http or https URL", e);
        return null;
    }

    private static TimeSpan? ReadKeepAlive(JsonObjectReader r, TimeSpan? fallback)
    {
        if (!r.TryGet("keep_alive", out var e))
        {
            return fallback;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Number when e.TryGetInt32(out var n) && n is -1 or 0:
                return n == -1 ? null : TimeSpan.Zero;
            case JsonValueKind.String when e.GetString() is "-1" or "never":
                return null;
            case JsonValueKind.String when Quantities.TryParseDuration(e.GetString(), out var duration, out _):
                return duration;
            default:
                r.Fail("keep_alive", "a duration string (e.g. \"5m\"), 0 for at once, or -1 or \"never\" for never", e);
                return fallback;
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
