using System.Text.Json;

namespace Yardmaster.Cli.Commands;

/// <summary>Prints a result object as one line of JSON with camelCase names.</summary>
internal static class JsonLine
{
    private static readonly JsonSerializerOptions _options = Core.ReadableJson.Web;

    public static void Write(TextWriter writer, object value) => writer.WriteLine(JsonSerializer.Serialize(value, _options));
}
