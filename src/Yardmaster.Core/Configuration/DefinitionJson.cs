using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Core.Configuration;

/// <summary>
/// The JSON shape of <see cref="ModelDefinition"/> and <see cref="TaskDefinition"/> used by
/// <c>/api/models</c>, <c>/api/tasks</c> and the registry store, with the snake_case keys of
/// <c>yard.yaml</c>.
/// </summary>
/// <remarks>
/// <para><b>Writing</b> gives every key, JSON <c>null</c> for an unset optional one. Sizes are integers
/// (bytes); durations are strings in the largest unit that divides them exactly (<c>500ms</c>, <c>90s</c>,
/// <c>5m</c>); a <c>keep_alive</c> of never is the number <c>-1</c>, as in <c>yard.yaml</c>; a rate is
/// <c>{"per_second": 50, "burst": 50}</c>; <c>from_config</c> is written as it is.</para>
/// <para><b>Reading</b> accepts what writing gives and also sizes as strings (<c>"64MiB"</c>),
/// <c>keep_alive</c> as <c>-1</c>, <c>"-1"</c> or <c>"never"</c> (never) and <c>0</c> (at once), and a rate as
/// <c>"50/s"</c> (burst: one second's worth, at least 1). An absent key and JSON <c>null</c> both mean the
/// default. <c>from_config</c> is accepted and ignored: a read definition is never from the config.
/// Every error is collected, each naming its JSON path. Reading checks each field and the fields of one
/// object together (<c>replicas.min</c> ≤ <c>replicas.max</c>); rules across definitions (a task's models
/// exist, a backend has its path or url) belong to the validator.</para>
/// <para>For a valid definition with <c>FromConfig</c> false, reading what was written gives an equal
/// definition (durations in whole microseconds).</para>
/// </remarks>
public static partial class DefinitionJson
{
    private const int MaxNameLength = 128;

    private static readonly (string Text, BackendKind Value)[] _backends =
        [("builtin", BackendKind.Builtin), ("process", BackendKind.Process), ("http", BackendKind.Http), ("slurm", BackendKind.Slurm), ("kubernetes", BackendKind.Kubernetes)];

    private static readonly (string Text, DeviceKind Value)[] _devices = [("cpu", DeviceKind.Cpu), ("gpu", DeviceKind.Gpu)];

    private static readonly (string Text, PriorityClass Value)[] _priorities = [.. PriorityClasses.All.Select(p => (p.Name(), p))];

    /// <summary>The keys of a model object, in the order they are written.</summary>
    public static IReadOnlyList<string> ModelFields { get; } =
    [
        "name", "backend", "path", "command", "image", "url", "api_key_env", "upstream_model", "device", "memory", "slots",
        "context", "threads", "replicas", "keep_alive", "pinned", "preempt", "ready_timeout", "stop_grace", "cost", "from_config",
    ];

    /// <summary>The keys of a task object, in the order they are written.</summary>
    public static IReadOnlyList<string> TaskFields { get; } =
        ["name", "priority", "slo", "models", "max_concurrency", "rate", "weight", "quality", "cache", "ensemble", "from_config"];

    /// <summary>Reads a model; false with every error (none is left out) when it is not a valid model object.</summary>
    public static bool TryReadModel(JsonElement element, [NotNullWhen(true)] out ModelDefinition? model, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        var reader = JsonObjectReader.Open(element, string.Empty, "a model", ModelFields, list);
        var read = reader is null ? null : ReadModel(reader);
        model = list.Count == 0 ? read : null;
        errors = list;
        return model is not null;
    }

    /// <summary>Reads a task; false with every error (none is left out) when it is not a valid task object.</summary>
    public static bool TryReadTask(JsonElement element, [NotNullWhen(true)] out TaskDefinition? task, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        var reader = JsonObjectReader.Open(element, string.Empty, "a task", TaskFields, list);
        var read = reader is null ? null : ReadTask(reader);
        task = list.Count == 0 ? read : null;
        errors = list;
        return task is not null;
    }

    /// <summary>The model as a compact JSON object.</summary>
    public static string ToJson(ModelDefinition model) => Write(w => WriteModel(w, model));

    /// <summary>The task as a compact JSON object.</summary>
    public static string ToJson(TaskDefinition task) => Write(w => WriteTask(w, task));

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ReadableJson.Writer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string? ReadName(JsonObjectReader r)
    {
        if (!r.Require("name") || !r.TryGet("name", out var e))
        {
            return null;
        }

        var name = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '/'))
        {
            return name;
        }

        r.Fail("name", $"1 to {MaxNameLength} letters, digits or . - _ : /", e);
        return null;
    }
}
