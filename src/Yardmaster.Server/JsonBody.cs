using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Server;

/// <summary>
/// Reads and parses a JSON request body, refusing as values what <see cref="System.Text.Json"/> would only
/// throw on later, deep in a handler: bytes that are not UTF-8, syntax errors (with line and byte), nesting
/// deeper than <see cref="MaxDepth"/>, and strings or property names whose escapes do not make valid Unicode
/// (a lone surrogate such as <c>"\ud800"</c>, on which <see cref="JsonElement.GetString"/> throws). Every
/// string and name of a document it returns can be read. Thread-safe (stateless).
/// </summary>
internal static class JsonBody
{
    /// <summary>Deepest nesting accepted (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The whole body; null when it is larger than Kestrel's <c>MaxRequestBodySize</c> (the caller answers 413).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    /// <summary>The parsed document (the caller disposes it), or why the body cannot be read.</summary>
    public static (JsonDocument? Document, JsonBodyError? Error) Parse(ReadOnlyMemory<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return (null, new JsonBodyError(string.Create(CultureInfo.InvariantCulture, $"the request body is not valid UTF-8 (at byte {InvalidUtf8At(body.Span)}); send JSON encoded as UTF-8"), null));
        }

        try
        {
            // Without a \u escape no string can hold a lone surrogate: the parse alone checks the rest (syntax, depth)
            // with the same errors, and the scan's pass (a string per field name) is saved on nearly every request.
            if (body.Span.IndexOf("\\u"u8) >= 0 && Scan(body.Span) is { } error)
            {
                return (null, error);
            }

            return (JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth }), null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {e.BytePositionInLine + 1}") : string.Empty;
            return (null, new JsonBodyError($"the request body is not valid JSON{where}: {FirstSentence(e.Message)}", null));
        }
    }

    /// <summary>One pass of the reader: syntax (throws <see cref="JsonException"/>) and every escaped string decodable.</summary>
    private static JsonBodyError? Scan(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        var frames = new List<Frame>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (!TryRead(ref reader, out var name))
                    {
                        var where = frames.Count <= 1 ? "the request body" : $"'{PathOf(frames, frames.Count - 1)}'";
                        return new JsonBodyError($"a field name in {where} is not valid Unicode: it holds an escaped lone surrogate (a \\uD800-\\uDFFF escape without its pair)", frames.Count <= 1 ? null : PathOf(frames, frames.Count - 1));
                    }

                    frames[^1] = frames[^1] with { Name = name };
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Enter(frames);
                    frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, 0, null));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
                case JsonTokenType.String:
                    Enter(frames);
                    if (reader.ValueIsEscaped && !TryRead(ref reader, out _))
                    {
                        var path = frames.Count == 0 ? null : PathOf(frames, frames.Count);
                        return new JsonBodyError($"{(path is null ? "the request body" : $"'{path}'")} is not valid Unicode: it holds an escaped lone surrogate (a \\uD800-\\uDFFF escape without its pair)", path);
                    }

                    break;
                default:
                    Enter(frames);
                    break;
            }
        }

        return null;
    }

    /// <summary>A value starts: in an array it is the next element.</summary>
    private static void Enter(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].Array)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    private static bool TryRead(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.ValueIsEscaped)
        {
            value = reader.GetString();
            return true;
        }

        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate: the only thing left after UTF-8 and syntax are checked
        }
    }

    /// <summary>The path of the value being read in the first <paramref name="count"/> frames, e.g. <c>messages[0].content</c>.</summary>
    private static string PathOf(List<Frame> frames, int count)
    {
        var path = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var f = frames[i];
            if (f.Array)
            {
                path.Append(CultureInfo.InvariantCulture, $"[{f.Index - 1}]");
            }
            else
            {
                path.Append(path.Length == 0 ? string.Empty : ".").Append(f.Name);
            }
        }

        return path.ToString();
    }

    private static int InvalidUtf8At(ReadOnlySpan<byte> body)
    {
        var chars = new char[body.Length];
        System.Text.Unicode.Utf8.ToUtf16(body, chars, out var read, out _, replaceInvalidSequences: false);
        return read;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    /// <summary>An open object or array: for an array the number of elements started, for an object the last field name.</summary>
    private readonly record struct Frame(bool Array, int Index, string? Name);
}
