using System.Data.Common;
using System.Text.Json;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Storage;

/// <summary>
/// How every registry store writes and reads a definition: <see cref="DefinitionJson"/> checked to read back before it is
/// written, and read back with the <c>FromConfig</c> it was written with; a row that no longer reads is an
/// <see cref="UnreadableRow"/> with the reasons.
/// </summary>
internal static class StoredDefinitions
{
    /// <summary>The stored JSON of <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">The task would not read back (e.g. an invalid name); the message lists why.</exception>
    public static string Json(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var json = DefinitionJson.ToJson(task);
        EnsureReadsBack<TaskDefinition>(json, DefinitionJson.TryReadTask, nameof(task));
        return json;
    }

    /// <summary>The stored JSON of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model would not read back (e.g. an invalid name); the message lists why.</exception>
    public static string Json(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var json = DefinitionJson.ToJson(model);
        EnsureReadsBack<ModelDefinition>(json, DefinitionJson.TryReadModel, nameof(model));
        return json;
    }

    /// <summary>The task stored as <paramref name="name"/>; null with the reasons when it no longer reads.</summary>
    public static TaskDefinition? ReadTask(string name, string json, out IReadOnlyList<string> errors) =>
        Read(name, json, (JsonElement e, out TaskDefinition? t, out IReadOnlyList<string> errs) =>
        {
            var read = DefinitionJson.TryReadTask(e, out t, out errs);
            t = read && StoredFromConfig(e) ? t! with { FromConfig = true } : t;
            return read;
        }, t => t.Name, out errors);

    /// <summary>The model stored as <paramref name="name"/>; null with the reasons when it no longer reads.</summary>
    public static ModelDefinition? ReadModel(string name, string json, out IReadOnlyList<string> errors) =>
        Read(name, json, (JsonElement e, out ModelDefinition? m, out IReadOnlyList<string> errs) =>
        {
            var read = DefinitionJson.TryReadModel(e, out m, out errs);
            m = read && StoredFromConfig(e) ? m! with { FromConfig = true } : m;
            return read;
        }, m => m.Name, out errors);

    private delegate bool TryRead<T>(JsonElement element, out T? definition, out IReadOnlyList<string> errors);

    private static void EnsureReadsBack<T>(string json, TryRead<T> read, string parameter)
    {
        using var document = JsonDocument.Parse(json);
        if (!read(document.RootElement, out _, out var errors))
        {
            throw new ArgumentException("The definition would not read back: " + string.Join("; ", errors), parameter);
        }
    }

    private static T? Read<T>(string name, string json, TryRead<T> read, Func<T, string> nameOf, out IReadOnlyList<string> errors)
        where T : class
    {
        T? definition = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            errors = read(document.RootElement, out definition, out var readErrors) ? [] : readErrors;
        }
        catch (JsonException e)
        {
            errors = ["not JSON: " + e.Message];
        }

        if (definition is not null && nameOf(definition) != name)
        {
            errors = [$"the definition is named '{nameOf(definition)}' but stored as '{name}'"];
        }

        return errors.Count == 0 ? definition : null;
    }

    // DefinitionJson ignores from_config (an API body must not claim to come from the config file); the
    // store wrote it itself, so it restores it: without it every config-file entry would read back as made
    // through the API and could be deleted or replaced there.
    private static bool StoredFromConfig(JsonElement element) =>
        element.TryGetProperty("from_config", out var fromConfig) && fromConfig.ValueKind == JsonValueKind.True;

    /// <summary>Reads a definition from its row's name and JSON; null (with why) when it no longer reads.</summary>
    public delegate T? ReadRow<T>(string name, string json, out IReadOnlyList<string> errors);

    /// <summary>
    /// Every <c>name, definition</c> row of <paramref name="reader"/> that reads back; each that does not is reported to
    /// <paramref name="onUnreadableRow"/> with the table's name and skipped.
    /// </summary>
    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbDataReader reader, string table, ReadRow<T> read, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
        where T : class
    {
        var definitions = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (read(name, reader.GetString(1), out var errors) is { } definition)
            {
                definitions.Add(definition);
            }
            else
            {
                onUnreadableRow?.Invoke(new UnreadableRow(table, name, errors));
            }
        }

        return definitions;
    }
}
