using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Reads an OpenAI chat completion answer: server-sent events (<c>data: {chunk}</c> lines until
/// <c>data: [DONE]</c>), or one JSON object when the server did not stream.
/// </summary>
internal static class ChatStream
{
    /// <summary>What came back: the whole text, the usage chunk if any, and the error event if the stream broke off.</summary>
    public sealed record Answer(string Text, JsonObject? Usage, string? Model, string? FinishReason, string? Error);

    /// <summary>Reads <paramref name="response"/> to its end, calling <paramref name="onDelta"/> with each non-empty piece of text in order.</summary>
    public static async Task<Answer> ReadAsync(HttpResponseMessage response, Action<string> onDelta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(onDelta);
        var text = new StringBuilder();
        JsonObject? usage = null;
        string? model = null, finish = null;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                var whole = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                var content = (string?)FirstChoice(whole)?["message"]?["content"] ?? string.Empty;
                if (content.Length > 0)
                {
                    onDelta(content);
                }

                return new Answer(content, whole?["usage"]?.DeepClone() as JsonObject, (string?)whole?["model"], (string?)FirstChoice(whole)?["finish_reason"], null);
            }

            using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line[5..].Trim();
                if (data == "[DONE]")
                {
                    return new Answer(text.ToString(), usage, model, finish, null);
                }

                var chunk = JsonNode.Parse(data);
                if (chunk?["error"] is { } error)
                {
                    var message = error is JsonValue ? error.ToString() : (string?)error["message"] ?? error.ToJsonString();
                    return new Answer(text.ToString(), usage, model, finish, message);
                }

                model ??= (string?)chunk?["model"];
                usage = chunk?["usage"] is JsonObject u ? (JsonObject)u.DeepClone() : usage;
                var choice = FirstChoice(chunk);
                finish = (string?)choice?["finish_reason"] ?? finish;
                if ((string?)choice?["delta"]?["content"] is { Length: > 0 } delta)
                {
                    text.Append(delta);
                    onDelta(delta);
                }
            }
        }
        catch (JsonException e)
        {
            return new Answer(text.ToString(), usage, model, finish, $"the server sent an event that is not JSON: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new Answer(text.ToString(), usage, model, finish, $"the connection closed: {e.Message}");
        }

        return new Answer(text.ToString(), usage, model, finish, "the stream ended without [DONE]");
    }

    /// <summary>The first of <c>choices</c>; null when missing or empty (the usage chunk has none).</summary>
    private static JsonNode? FirstChoice(JsonNode? chunk) => chunk?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
}
