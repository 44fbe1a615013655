using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Yardmaster.Server.Caching;

/// <summary>
/// The identity of a request for the result cache: the SHA-256 of its canonical JSON (object keys sorted at every
/// level, numbers in their shortest form, no whitespace), without <c>model</c>, with the scope the answer comes from
/// (the task's one model, else the task), the endpoint and the caller's key. Pure and thread-safe.
/// </summary>
internal static class RequestKey
{
    /// <summary>True when the answer depends on the request alone: <c>temperature</c> 0, or a numeric <c>seed</c>.</summary>
    public static bool IsDeterministic(JsonElement root) =>
        (root.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number && t.GetDouble() == 0)
        || (root.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number);

    /// <summary>The key: <paramref name="scope"/>, <paramref name="chat"/>, <paramref name="tenant"/> and the canonical body, hashed.</summary>
    public static string Compute(string scope, bool chat, string tenant, JsonElement root) => Compute(scope, chat ? "chat" : "completions", tenant, root);

    /// <summary>The key: <paramref name="scope"/>, the <paramref name="endpoint"/> (chat, completions, embeddings), <paramref name="tenant"/> and the canonical body, hashed.</summary>
    public static string Compute(string scope, string endpoint, string tenant, JsonElement root)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(scope);
            json.WriteStringValue(endpoint);
            json.WriteStringValue(tenant);
            WriteCanonical(json, root, skipModel: true);
            json.WriteEndArray();
        }

        return Convert.ToBase64String(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The canonical text of <paramref name="element"/> (for tests and logs).</summary>
    public static string Canonical(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(json, element, skipModel: false);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement element, bool skipModel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (skipModel && property.NameEquals("model"u8))
                    {
                        continue;
                    }

                    json.WritePropertyName(property.Name);
                    WriteCanonical(json, property.Value, skipModel: false);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(json, item, skipModel: false);
                }

                json.WriteEndArray();
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var integer):
                json.WriteNumberValue(integer);
                break;
            case JsonValueKind.Number:
                json.WriteNumberValue(element.GetDouble());
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }
}
