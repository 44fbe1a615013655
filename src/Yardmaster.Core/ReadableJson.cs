using System.Text.Encodings.Web;
using System.Text.Json;

namespace Yardmaster.Core;

/// <summary>
/// The one place that says how Yardmaster writes JSON: readable, so that <c>'</c>, <c>+</c>, <c>&lt;</c>,
/// <c>&gt;</c>, <c>&amp;</c> and non-ASCII text stay as they are instead of becoming <c>\u0027</c> and the like
/// (System.Text.Json's default encoder escapes them for JSON that may be inlined into HTML). Every answer
/// is sent as <c>application/json</c> (or <c>application/problem+json</c>, or an SSE <c>data:</c> line) and is
/// never inlined into a page, so the relaxed encoder is safe: quotes, backslashes and control characters
/// are still escaped, which is all JSON needs. Thread-safe (immutable after first use).
/// </summary>
public static class ReadableJson
{
    /// <summary>For every <see cref="Utf8JsonWriter"/> that writes an answer, a log line or a stored document.</summary>
    public static JsonWriterOptions Writer { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>For <see cref="JsonSerializer"/>, with the web defaults (camelCase names).</summary>
    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>For <see cref="JsonSerializer"/>, names as written.</summary>
    public static JsonSerializerOptions Serializer { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
