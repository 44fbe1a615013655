using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// Finds a string in a parsed JSON body that has no text: bytes that are not UTF-8, or an escaped lone
/// surrogate (<c>"\ud800"</c>). The parser accepts both and <see cref="JsonElement.GetString"/> then throws,
/// so a handler checks the body once up front and answers 400 naming the place. Pure.
/// </summary>
internal static class JsonText
{
    /// <summary>The path of the first such string or property name (<c>'models[2]'</c>, <c>'name'</c>); null when every string is text.</summary>
    public static string? FirstInvalid(JsonElement element) => Find(element, string.Empty);

    private static string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(element) ? null : Shown(path);

            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")) is { } found)
                    {
                        return found;
                    }
                }

                return null;

            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Shown(path.Length == 0 ? "a property name" : $"a property name in '{path}'");
                    }

                    if (Find(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;

            default:
                return null;
        }
    }

    private static bool IsText(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Shown(string path) => path.Length == 0 ? "the body" : path.StartsWith("a property", StringComparison.Ordinal) ? path : $"'{path}'";
}
