using System.Globalization;
using System.Text.Json;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

/// <summary>
/// Reads the fields of one JSON object, collecting every error (naming the field by its path, e.g.
/// <c>'replicas.min'</c>) instead of stopping at the first. A field that is absent or JSON <c>null</c>
/// reads as null, which callers turn into the default. Not thread-safe; one per object read.
/// </summary>
internal sealed class JsonObjectReader
{
    private const int MaxShown = 60;

    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private readonly List<string> _errors;

    private JsonObjectReader(string prefix, List<string> errors)
    {
        _prefix = prefix;
        _errors = errors;
    }

    /// <summary>
    /// Opens <paramref name="element"/> as an object with the given fields; null (with an error) when it
    /// is not an object. Unknown and duplicate fields are reported and otherwise ignored.
    /// </summary>
    public static JsonObjectReader? Open(JsonElement element, string path, string what, IReadOnlyList<string> known, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path.Length == 0 ? $"{what} must be a JSON object, got {Shown(element)}" : $"'{path}' must be an object, got {Shown(element)}");
            return null;
        }

        var reader = new JsonObjectReader(path.Length == 0 ? string.Empty : path + ".", errors);
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                errors.Add($"unknown field '{reader.PathOf(property.Name)}'; known fields: {string.Join(", ", known)}");
            }
            else if (!reader._fields.TryAdd(property.Name, property.Value))
            {
                errors.Add($"duplicate field '{reader.PathOf(property.Name)}'");
            }
        }

        return reader;
    }

    /// <summary>The field's path as errors name it.</summary>
    public string PathOf(string name) => _prefix + name;

    /// <summary>The field's value when present and not JSON null.</summary>
    public bool TryGet(string name, out JsonElement value) =>
        _fields.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Records <c>'path' must be REQUIREMENT, got VALUE</c>.</summary>
    public void Fail(string name, string requirement, JsonElement got) =>
        _errors.Add($"'{PathOf(name)}' must be {requirement}, got {Shown(got)}");

    /// <summary>Records <c>'path' is required</c> when the field is absent or null; true when present.</summary>
    public bool Require(string name)
    {
        if (TryGet(name, out _))
        {
            return true;
        }

        _errors.Add($"'{PathOf(name)}' is required");
        return false;
    }

    /// <summary>A non-empty string.</summary>
    public string? String(string name)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s)
        {
            return s;
        }

        Fail(name, "a non-empty string", e);
        return null;
    }

    /// <summary>An integer of at least <paramref name="min"/>.</summary>
    public int? Int(string name, int min)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var value) && value >= min)
        {
            return value;
        }

        Fail(name, string.Create(CultureInfo.InvariantCulture, $"an integer >= {min}"), e);
        return null;
    }

    /// <summary>A finite number above (or, when <paramref name="inclusive"/>, at least) <paramref name="min"/>.</summary>
    public double? Number(string name, double min, bool inclusive)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var value) && double.IsFinite(value) && (inclusive ? value >= min : value > min))
        {
            return value;
        }

        Fail(name, string.Create(CultureInfo.InvariantCulture, $"a number {(inclusive ? ">=" : ">")} {min}"), e);
        return null;
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public bool? Bool(string name)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return e.GetBoolean();
        }

        Fail(name, "true or false", e);
        return null;
    }

    /// <summary>A size of at least 1 byte: an integer of bytes or a string with a unit (<c>64MiB</c>).</summary>
    public long? Size(string name)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var bytes) && bytes >= 1)
        {
            return bytes;
        }

        if (e.ValueKind == JsonValueKind.String && Quantities.TryParseSize(e.GetString(), out bytes, out _) && bytes >= 1)
        {
            return bytes;
        }

        Fail(name, "a size of at least 1 byte: an integer of bytes or a string with a unit, e.g. \"64MiB\"", e);
        return null;
    }

    /// <summary>A duration string (<c>500ms</c>, <c>10s</c>, <c>5m</c>); above zero when <paramref name="positive"/>.</summary>
    public TimeSpan? Duration(string name, bool positive)
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String && Quantities.TryParseDuration(e.GetString(), out var duration, out _) && (!positive || duration > TimeSpan.Zero))
        {
            return duration;
        }

        Fail(name, $"a {(positive ? "positive " : string.Empty)}duration string, e.g. \"500ms\", \"10s\", \"5m\"", e);
        return null;
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive).</summary>
    public T? Choice<T>(string name, IReadOnlyList<(string Text, T Value)> choices)
        where T : struct
    {
        if (!TryGet(name, out var e))
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String)
        {
            var text = e.GetString();
            foreach (var (choice, value) in choices)
            {
                if (string.Equals(choice, text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
        }

        Fail(name, "one of " + string.Join(" | ", choices.Select(c => c.Text)), e);
        return null;
    }

    /// <summary>The object under <paramref name="name"/>, or null when absent (or not an object, with an error).</summary>
    public JsonObjectReader? Object(string name, IReadOnlyList<string> known) =>
        TryGet(name, out var e) ? Open(e, PathOf(name), name, known, _errors) : null;

    /// <summary>Adds an error that is not about one field's type.</summary>
    public void Error(string message) => _errors.Add(message);

    /// <summary>The value as JSON, cut to a readable length.</summary>
    public static string Shown(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length <= MaxShown ? raw : string.Concat(raw.AsSpan(0, MaxShown), "…");
    }
}
