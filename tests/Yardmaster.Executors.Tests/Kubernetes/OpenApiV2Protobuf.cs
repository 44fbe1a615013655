using System.Text;
using System.Text.Json;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// A Swagger 2.0 JSON document as the protobuf kubectl reads from <c>/openapi/v2</c> (gnostic's <c>openapi.v2.Document</c>,
/// field numbers from its <c>OpenAPIv2.proto</c>): the parts client-side validation uses: swagger, info and the
/// definitions, each schema with its reference, type, format, required, properties, items, additionalProperties,
/// allOf and vendor extensions (<c>x-kubernetes-group-version-kind</c> ties a definition to its kind).
/// </summary>
internal static class OpenApiV2Protobuf
{
    public static byte[] Encode(JsonElement swagger)
    {
        var document = new MemoryStream();
        String(document, 1, swagger.GetProperty("swagger").GetString()!);
        if (swagger.TryGetProperty("info", out var info))
        {
            var i = new MemoryStream();
            String(i, 1, info.GetProperty("title").GetString()!);
            String(i, 2, info.GetProperty("version").GetString()!);
            Message(document, 2, i);
        }

        var definitions = new MemoryStream();
        foreach (var definition in swagger.GetProperty("definitions").EnumerateObject())
        {
            Message(definitions, 1, Named(definition.Name, Schema(definition.Value)));
        }

        Message(document, 9, definitions);
        return document.ToArray();
    }

    private static MemoryStream Schema(JsonElement schema)
    {
        var s = new MemoryStream();
        foreach (var property in schema.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "$ref":
                    String(s, 1, value.GetString()!);
                    break;
                case "format":
                    String(s, 2, value.GetString()!);
                    break;
                case "description":
                    String(s, 4, value.GetString()!);
                    break;
                case "required":
                    foreach (var name in value.EnumerateArray())
                    {
                        String(s, 19, name.GetString()!);
                    }

                    break;
                case "additionalProperties":
                    var additional = new MemoryStream();
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        Message(additional, 1, Schema(value));
                    }
                    else
                    {
                        Varint(additional, (2 << 3) | 0);
                        Varint(additional, value.GetBoolean() ? 1UL : 0UL);
                    }

                    Message(s, 21, additional);
                    break;
                case "type":
                    var type = new MemoryStream();
                    foreach (var t in value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : new[] { value })
                    {
                        String(type, 1, t.GetString()!);
                    }

                    Message(s, 22, type);
                    break;
                case "items":
                    var items = new MemoryStream();
                    foreach (var item in value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : new[] { value })
                    {
                        Message(items, 1, Schema(item));
                    }

                    Message(s, 23, items);
                    break;
                case "allOf":
                    foreach (var part in value.EnumerateArray())
                    {
                        Message(s, 24, Schema(part));
                    }

                    break;
                case "properties":
                    var properties = new MemoryStream();
                    foreach (var p in value.EnumerateObject())
                    {
                        Message(properties, 1, Named(p.Name, Schema(p.Value)));
                    }

                    Message(s, 25, properties);
                    break;
                default:
                    if (property.Name.StartsWith("x-", StringComparison.Ordinal))
                    {
                        // NamedAny { name, Any { yaml } }: JSON is YAML.
                        var any = new MemoryStream();
                        String(any, 2, value.GetRawText());
                        var named = new MemoryStream();
                        String(named, 1, property.Name);
                        Message(named, 2, any);
                        Message(s, 31, named);
                    }

                    break;
            }
        }

        return s;
    }

    private static MemoryStream Named(string name, MemoryStream value)
    {
        var named = new MemoryStream();
        String(named, 1, name);
        Message(named, 2, value);
        return named;
    }

    private static void String(Stream to, int field, string value) => Bytes(to, field, Encoding.UTF8.GetBytes(value));

    private static void Message(Stream to, int field, MemoryStream message) => Bytes(to, field, message.ToArray());

    private static void Bytes(Stream to, int field, byte[] value)
    {
        Varint(to, ((ulong)field << 3) | 2);
        Varint(to, (ulong)value.Length);
        to.Write(value);
    }

    private static void Varint(Stream to, ulong value)
    {
        while (value >= 0x80)
        {
            to.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        to.WriteByte((byte)value);
    }
}
