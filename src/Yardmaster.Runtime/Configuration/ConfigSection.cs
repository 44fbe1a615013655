namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// One mapping of the file whose keys were checked: typed getters by key that return null when the key
/// is absent, null-valued or invalid (the <see cref="ConfigReader"/> then holds the error).
/// </summary>
internal sealed class ConfigSection(ConfigReader reader, string path, ConfigNode mapping, Dictionary<string, ConfigNode> values)
{
    /// <summary>The field path of the mapping itself, e.g. <c>models[1]</c>.</summary>
    public string Path { get; } = path;

    public ConfigReader Reader { get; } = reader;

    /// <summary>Reports a required key that is absent, at the mapping's position.</summary>
    public void Missing(string key, string message) => Reader.Error(mapping, Field(key), message);

    public ConfigNode? Node(string key) => values.GetValueOrDefault(key);

    public string Field(string key) => Path.Length == 0 ? key : Path + "." + key;

    public string? String(string key) => Node(key) is { } n ? Reader.String(n, Field(key)) : null;

    public int? Int(string key) => Node(key) is { } n ? Reader.Int(n, Field(key)) : null;

    public double? Number(string key) => Node(key) is { } n ? Reader.Number(n, Field(key)) : null;

    public bool? Bool(string key) => Node(key) is { } n ? Reader.Bool(n, Field(key)) : null;

    public long? Size(string key) => Node(key) is { } n ? Reader.Size(n, Field(key)) : null;

    public TimeSpan? Duration(string key) => Node(key) is { } n ? Reader.Duration(n, Field(key)) : null;

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> names)
        where T : struct => Node(key) is { } n ? Reader.Choice(n, Field(key), names) : null;

    public ConfigSection? Section(string key, IReadOnlyList<string> keys) => Node(key) is { } n ? Reader.Section(n, Field(key), keys) : null;

    public IReadOnlyList<ConfigNode>? List(string key, string what) => Node(key) is { } n ? Reader.List(n, Field(key), what) : null;

    /// <summary>A list of strings, e.g. <c>models: [a, b]</c>.</summary>
    public IReadOnlyList<string>? Strings(string key, string what)
    {
        if (List(key, what) is not { } items)
        {
            return null;
        }

        var strings = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (Reader.String(items[i], $"{Field(key)}[{i}]") is { } s)
            {
                strings.Add(s);
            }
        }

        return strings;
    }

    /// <summary>A mapping of names to strings (<c>env:</c>, <c>node_selector:</c>); empty when absent; errors located per entry.</summary>
    public Dictionary<string, string> StringMap(string key, string what)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Node(key) is not { } node)
        {
            return map;
        }

        if (node.Kind != ConfigNodeKind.Mapping)
        {
            Reader.Error(node, Field(key), $"expected a mapping of {what}; found {node.Describe()}");
            return map;
        }

        foreach (var (name, value) in node.Entries)
        {
            var field = Field(key) + "." + name.Value;
            Reader.Record(field, name);
            if (value.Kind != ConfigNodeKind.Scalar)
            {
                Reader.Error(value, field, $"expected a string; found {value.Describe()}");
            }
            else if (!map.TryAdd(name.Value, value.Value))
            {
                Reader.Error(name, field, $"duplicate key '{name.Value}'");
            }
        }

        return map;
    }
}
