using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>Reading and checking the request body: size limits (413), JSON, and what the gateway needs before any backend sees it.</summary>
internal sealed partial class CompletionGateway
{
    /// <summary>Reads the body within the size limits and parses it; <paramref name="check"/> says what the endpoint needs of it before any backend sees it.</summary>
    internal async ValueTask<(byte[]? Body, JsonDocument? Document, OpenAiError? Error)> ReadAsync(HttpContext http, Func<JsonElement, OpenAiError?> check)
    {
        byte[] body;
        try
        {
            var length = http.Request.ContentLength;
            if (length > server.MaxBodyBytes)
            {
                return (null, null, TooLarge(server.MaxBodyBytes));
            }

            if (length is > 0)
            {
                // The usual case: read straight into an array of the declared length (Kestrel ends the body there).
                body = new byte[(int)length];
                var read = 0;
                int n;
                while (read < body.Length && (n = await http.Request.Body.ReadAsync(body.AsMemory(read), http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }

                body = read == body.Length ? body : body[..read];
            }
            else
            {
                using var buffer = new MemoryStream(1024);
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
                body = buffer.ToArray();
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, null, TooLarge(http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? server.MaxBodyBytes));
        }

        var (document, invalid) = JsonBody.Parse(body);
        if (document is null)
        {
            return (null, null, OpenAiError.BadRequest(invalid!.Message, invalid.Field));
        }

        var error = check(document.RootElement);
        if (error is not null)
        {
            document.Dispose();
            return (null, null, error);
        }

        return (body, document, null);
    }

    /// <summary>What the gateway itself needs to be right before any backend sees the request; the backend checks the rest.</summary>
    private OpenAiError? Check(JsonElement root, bool chat)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return OpenAiError.BadRequest($"the request body must be a JSON object, got {JsonKinds.Shown(root)}");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
        {
            return OpenAiError.BadRequest("'model' is required: the name of a task or a model (see GET /v1/models)", "model");
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            return OpenAiError.BadRequest($"'stream' must be a boolean, got {JsonKinds.Shown(stream)}", "stream");
        }

        foreach (var field in new[] { "max_tokens", "max_completion_tokens" })
        {
            if (root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null && (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < 1))
            {
                return OpenAiError.BadRequest($"'{field}' must be an integer of at least 1, got {JsonKinds.Shown(v)}", field);
            }
        }

        long chars = 0;
        if (chat)
        {
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                return OpenAiError.BadRequest("'messages' is required: a non-empty array of {role, content}", "messages");
            }

            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content))
                {
                    // Content parts (arrays) count by their JSON text, so they cannot get around the limit.
                    chars += content.ValueKind == JsonValueKind.String ? content.GetString()!.Length : content.GetRawText().Length;
                }
            }
        }
        else
        {
            if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return OpenAiError.BadRequest("'prompt' is required: a string, an array of strings or an array of token ids", "prompt");
            }

            chars = prompt.ValueKind == JsonValueKind.String ? prompt.GetString()!.Length : prompt.GetRawText().Length;
        }

        return chars > server.MaxPromptChars
            ? new OpenAiError(413, string.Create(CultureInfo.InvariantCulture, $"the prompt is {chars} characters, more than the limit of {server.MaxPromptChars} (server.max_prompt_chars)"), Param: chat ? "messages" : "prompt", Code: "prompt_too_large")
            : null;
    }

    private static OpenAiError TooLarge(long limit) =>
        new(413, string.Create(CultureInfo.InvariantCulture, $"the request body is larger than the limit of {limit} bytes (server.max_body)"), Code: "request_too_large");
}
