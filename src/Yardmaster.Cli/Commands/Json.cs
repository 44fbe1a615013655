using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>Reads fields of the server's JSON for tables, tolerating fields that are missing or null.</summary>
internal static class Json
{
    /// <summary>What a table shows for a missing or null value.</summary>
    public const string None = "-";

    /// <summary>A string, number or boolean field as text; <see cref="None"/> when missing or null.</summary>
    public static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => None,
        } : None;

    /// <summary>A number field, or 0 when missing or null.</summary>
    public static double Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    /// <summary>An object field, or an undefined element when missing.</summary>
    public static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    /// <summary>The properties of an object, or none when <paramref name="element"/> is not an object.</summary>
    public static IEnumerable<JsonProperty> Members(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? element.EnumerateObject() : [];

    /// <summary>A number for people: no decimals from 100 up, else up to one.</summary>
    public static string Format(double value) => value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
