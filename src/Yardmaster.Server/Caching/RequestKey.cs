using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Server.Caching;

/// <summary>
/// The identity of a request for the result cache: the SHA-256 of its canonical JSON (object keys sorted at every
/// level by their UTF-8 bytes, numbers in their shortest form, no whitespace), without <c>model</c>, with the scope the answer comes from
/// (the task's one model, else the task), the endpoint and the caller's key. Pure and thread-safe.
/// </summary>
internal static class RequestKey
{
    /// <summary>True when the answer depends on the request alone: <c>temperature</c> 0, or a numeric <c>seed</c>.</summary>
    public static bool IsDeterministic(JsonElement root) =>
        (root.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number && t.GetDouble() == 0)
        || (root.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number);

    /// <summary>The key: <paramref name="scope"/>, <paramref name="chat"/>, <paramref name="tenant"/> and the canonical body, hashed.</summary>
    public static CacheKey Compute(string scope, bool chat, string tenant, JsonElement root) => Compute(scope, chat ? "chat" : "completions", tenant, root);

    /// <summary>The key: <paramref name="scope"/>, the <paramref name="endpoint"/> (chat, completions, embeddings), <paramref name="tenant"/> and the canonical body, hashed.</summary>
    public static CacheKey Compute(string scope, string endpoint, string tenant, JsonElement root)
    {
        // One buffer and writer per thread, reset for each key: a cache hit should allocate little more than its key.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var json = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartArray();
        json.WriteStringValue(scope);
        json.WriteStringValue(endpoint);
        json.WriteStringValue(tenant);
        WriteCanonical(json, root, skipModel: true);
        json.WriteEndArray();
        json.Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        if (buffer.Capacity > 64 * 1024)
        {
            (t_buffer, t_writer) = (null, null); // a huge request does not keep its buffer on the thread
        }

        return new CacheKey(
            BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]), BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The canonical text of <paramref name="element"/> (for tests and logs).</summary>
    public static string Canonical(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(json, element, skipModel: false);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The members of an object in the order of their names' UTF-8 bytes (code point order), each name unescaped; members
    /// of the same name (JSON allows them; a backend takes the last) stay in the order written, so that swapping their
    /// values is another request. The names are read in place from the document: a key allocates no string per member.
    /// </summary>
    private static void WriteMembers(Utf8JsonWriter json, JsonElement element, bool skipModel)
    {
        var members = ArrayPool<Member>.Shared.Rent(element.GetPropertyCount());
        try
        {
            var n = 0;
            var escaped = false;
            foreach (var property in element.EnumerateObject())
            {
                if (!(skipModel && property.NameEquals("model"u8)))
                {
                    members[n] = new Member(property, n, null);
                    n++;
                    escaped |= JsonMarshal.GetRawUtf8PropertyName(property).Contains((byte)'\\');
                }
            }

            var span = members.AsSpan(0, n);
            if (escaped)
            {
                // A name written with escapes (\u0072ole) is the same name as written plainly: compared and written unescaped.
                foreach (ref var member in span)
                {
                    member = member with { Unescaped = Encoding.UTF8.GetBytes(member.Property.Name) };
                }
            }

            span.Sort(static (a, b) => a.Name.SequenceCompareTo(b.Name) is var order and not 0 ? order : a.Index.CompareTo(b.Index));
            foreach (var member in span)
            {
                json.WritePropertyName(member.Name);
                WriteCanonical(json, member.Property.Value, skipModel: false);
            }
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(members, clearArray: true);
        }
    }

    /// <summary>A member of an object being written: where it was, and its name unescaped when the document's has escapes.</summary>
    private readonly record struct Member(JsonProperty Property, int Index, byte[]? Unescaped)
    {
        public ReadOnlySpan<byte> Name => Unescaped ?? JsonMarshal.GetRawUtf8PropertyName(Property);
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement element, bool skipModel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                WriteMembers(json, element, skipModel);
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

/// <summary>A request's identity in the result cache: the SHA-256 of what <see cref="RequestKey"/> makes canonical, as four words (one small object per lookup, compared by value).</summary>
internal sealed record CacheKey(ulong A, ulong B, ulong C, ulong D);
