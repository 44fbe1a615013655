using System.Text.Json;

namespace Yardmaster.Server;

/// <summary>How error messages name what a JSON value is: its kind, and the value itself cut to a readable length.</summary>
internal static class JsonKinds
{
    private const int MaxShown = 40;

    /// <summary><c>a string</c>, <c>a number</c>, <c>a boolean</c>, <c>an array</c>, <c>an object</c> or <c>null</c>.</summary>
    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>The kind and, for a scalar, the value: <c>a string ("10")</c>, <c>a boolean (true)</c>, <c>an array</c>.</summary>
    public static string Shown(JsonElement e)
    {
        if (e.ValueKind is JsonValueKind.Array or JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return Kind(e);
        }

        var raw = e.GetRawText();
        return $"{Kind(e)} ({(raw.Length <= MaxShown ? raw : string.Concat(raw.AsSpan(0, MaxShown), "…"))})";
    }
}
