using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Reads typed values out of <see cref="ConfigNode"/>s for one file, collecting every error with its
/// position instead of stopping at the first, and remembering where each field was so that semantic
/// errors found later (<see cref="DefinitionValidator"/>) can be located too. Not thread-safe.
/// </summary>
internal sealed class ConfigReader(string fileName)
{
    private readonly Dictionary<string, ConfigNode> _fields = new(StringComparer.Ordinal);

    public List<ConfigError> Errors { get; } = [];

    public void Error(int line, int column, string field, string message) =>
        Errors.Add(new ConfigError(field, message) { File = fileName, Line = line, Column = column });

    public void Error(ConfigNode node, string field, string message) => Error(node.Line, node.Column, field, message);

    /// <summary>Remembers that <paramref name="field"/> is at <paramref name="node"/>.</summary>
    public void Record(string field, ConfigNode node) => _fields.TryAdd(field, node);

    /// <summary>The error located at its field's node, or at the closest enclosing field that was read (a missing key is reported where its mapping starts).</summary>
    public ConfigError Locate(ConfigError error)
    {
        for (var field = error.Field; ; field = Parent(field))
        {
            if (_fields.TryGetValue(field, out var node))
            {
                return error with { File = fileName, Line = node.Line, Column = node.Column };
            }

            if (field.Length == 0)
            {
                return error with { File = fileName };
            }
        }
    }

    /// <summary>The mapping at <paramref name="node"/>, its keys checked against <paramref name="keys"/>; null (with an error) when it is not a mapping.</summary>
    public ConfigSection? Section(ConfigNode node, string field, IReadOnlyList<string> keys)
    {
        Record(field, node);
        if (node.Kind != ConfigNodeKind.Mapping)
        {
            Error(node, field, $"expected a mapping with keys {string.Join(", ", keys)}; found {node.Describe()}");
            return null;
        }

        var values = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        var keyNodes = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in node.Entries)
        {
            if (keyNode.Kind != ConfigNodeKind.Scalar)
            {
                Error(keyNode, field, $"a key must be a plain name; found {keyNode.Describe()}");
                continue;
            }

            var key = keyNode.Value;
            var at = Join(field, key);
            if (!keys.Contains(key, StringComparer.Ordinal))
            {
                // Only errors that will be listed get a suggestion (see ErrorReport): thousands of unknown keys must not cost thousands of searches.
                var closest = Errors.Count < ErrorReport.MaxShown ? ClosestKey.Find(key, keys) : null;
                Error(keyNode, at, closest is null
                    ? $"unknown key '{key}'; known keys: {string.Join(", ", keys)}"
                    : $"unknown key '{key}'; did you mean '{closest}'?");
            }
            else if (!keyNodes.TryAdd(key, keyNode))
            {
                Error(keyNode, at, $"duplicate key '{key}' (first at line {keyNodes[key].Line})");
            }
            else if (!value.IsNull)
            {
                values[key] = value;
                Record(at, value);
            }
        }

        return new ConfigSection(this, field, node, values);
    }

    /// <summary>The items of a sequence, each recorded as <c>field[i]</c>; null (with an error) for anything else.</summary>
    public IReadOnlyList<ConfigNode>? List(ConfigNode node, string field, string what)
    {
        if (node.Kind != ConfigNodeKind.Sequence)
        {
            Error(node, field, $"expected a list of {what}; found {node.Describe()}");
            return null;
        }

        for (var i = 0; i < node.Items.Count; i++)
        {
            Record($"{field}[{i}]", node.Items[i]);
        }

        return node.Items;
    }

    public string? String(ConfigNode node, string field) => Scalar(node, field, "a string");

    public int? Int(ConfigNode node, string field) =>
        Scalar(node, field, "an integer") is { } s && Check(int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v), node, field, $"expected an integer; found '{s}'") ? v : null;

    public double? Number(ConfigNode node, string field) =>
        Scalar(node, field, "a number") is { } s && Check(double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v), node, field, $"expected a number; found '{s}'") ? v : null;

    public bool? Bool(ConfigNode node, string field)
    {
        switch (Scalar(node, field, "true or false"))
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case var s:
                Error(node, field, $"expected true or false; found '{s}'");
                return null;
        }
    }

    public long? Size(ConfigNode node, string field) =>
        Scalar(node, field, "a size") is { } s && Check(Quantities.TryParseSize(s, out var v, out var e), node, field, e) ? v : null;

    public TimeSpan? Duration(ConfigNode node, string field) =>
        Scalar(node, field, "a duration") is { } s && Check(Quantities.TryParseDuration(s, out var v, out var e), node, field, e) ? v : null;

    public double? Rate(ConfigNode node, string field) =>
        Scalar(node, field, "a rate") is { } s && Check(Quantities.TryParseRate(s, out var v, out var e), node, field, e) ? v : null;

    /// <summary>One of <paramref name="names"/> (case-insensitive); the error lists them.</summary>
    public T? Choice<T>(ConfigNode node, string field, IReadOnlyDictionary<string, T> names)
        where T : struct
    {
        if (Scalar(node, field, "a name") is not { } s)
        {
            return null;
        }

        foreach (var (name, value) in names)
        {
            if (string.Equals(name, s.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        Error(node, field, $"unknown value '{s}'; use {string.Join(" | ", names.Keys)}");
        return null;
    }

    private string? Scalar(ConfigNode node, string field, string what)
    {
        if (node.Kind == ConfigNodeKind.Scalar)
        {
            return node.Value;
        }

        Error(node, field, $"expected {what}; found {node.Describe()}");
        return null;
    }

    private bool Check(bool ok, ConfigNode node, string field, string? message)
    {
        if (!ok)
        {
            Error(node, field, message ?? "invalid value");
        }

        return ok;
    }

    private static string Parent(string field)
    {
        var cut = Math.Max(field.LastIndexOf('.'), field.LastIndexOf('['));
        return cut < 0 ? string.Empty : field[..cut];
    }

    private static string Join(string field, string key) => field.Length == 0 ? key : field + "." + key;
}
