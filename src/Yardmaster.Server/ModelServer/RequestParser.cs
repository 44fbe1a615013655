using System.Text.Json;
using Yardmaster.Inference.Sampling;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// Reads an OpenAI completion or chat request from JSON, checking every field's type and range. The
/// first problem is returned as an <see cref="OpenAiError"/> naming the field; unknown fields are ignored
/// as OpenAI's own API does.
/// </summary>
internal static class RequestParser
{
    private const int MaxStops = 16;

    public static (CompletionRequest? Request, OpenAiError? Error) Parse(JsonElement root, bool chat)
    {
        try
        {
            return (Read(root, chat), null);
        }
        catch (RequestException e)
        {
            return (null, OpenAiError.BadRequest(e.Message, e.Param));
        }
    }

    private static CompletionRequest Read(JsonElement root, bool chat)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RequestException(null, $"the request body must be a JSON object, got {JsonKinds.Kind(root)}");
        }

        var n = Int(root, "n");
        if (n is not null and not 1)
        {
            throw new RequestException("n", $"'n' must be 1 (one choice per request), got {n}");
        }

        var sampling = new SamplingOptions
        {
            Temperature = Float(root, "temperature") ?? 1f,
            TopP = Float(root, "top_p") ?? 1f,
            TopK = Int(root, "top_k") ?? 40,
            MinP = Float(root, "min_p") ?? 0f,
            RepetitionPenalty = Float(root, "repetition_penalty") ?? Float(root, "repeat_penalty") ?? 1f,
            FrequencyPenalty = Float(root, "frequency_penalty") ?? 0f,
            PresencePenalty = Float(root, "presence_penalty") ?? 0f,
            Seed = Seed(root),
        };
        foreach (var error in sampling.Validate())
        {
            throw new RequestException(error.Split(' ')[0], error.Replace(error.Split(' ')[0], $"'{error.Split(' ')[0]}'", StringComparison.Ordinal));
        }

        var maxTokensField = chat && root.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens";
        var maxTokens = Int(root, maxTokensField);
        if (maxTokens is < 1)
        {
            throw new RequestException(maxTokensField, $"'{maxTokensField}' must be at least 1, got {maxTokens}");
        }

        var streamOptions = Property(root, "stream_options", JsonValueKind.Object);
        var request = new CompletionRequest
        {
            Chat = chat,
            Model = String(root, "model"),
            MaxTokens = maxTokens ?? (chat ? null : 16),
            Sampling = sampling,
            Stop = Stops(root),
            Stream = Bool(root, "stream") ?? false,
            IncludeUsage = streamOptions is { } so && (Bool(so, "include_usage", "stream_options.include_usage") ?? false),
            IgnoreEos = Bool(root, "ignore_eos") ?? false,
            Echo = !chat && (Bool(root, "echo") ?? false),
        };

        Logprobs(root, chat);
        return chat ? request with { Messages = Messages(root) } : Prompt(root, request);
    }

    /// <summary>
    /// Chat's <c>logprobs</c> is a boolean with <c>top_logprobs</c> an integer of 0 to 20; completions'
    /// <c>logprobs</c> is an integer of 0 to 5 (OpenAI's API). Asking for any is refused: this server has none.
    /// </summary>
    private static void Logprobs(JsonElement root, bool chat)
    {
        if (chat)
        {
            var top = Int(root, "top_logprobs");
            if (top is < 0 or > 20)
            {
                throw new RequestException("top_logprobs", $"'top_logprobs' must be an integer between 0 and 20, got {top}");
            }

            if (Bool(root, "logprobs") == true || top > 0)
            {
                throw new RequestException(top > 0 ? "top_logprobs" : "logprobs", $"'{(top > 0 ? "top_logprobs" : "logprobs")}' is not supported by this server (it returns no log probabilities)");
            }

            return;
        }

        var logprobs = Int(root, "logprobs");
        if (logprobs is < 0 or > 5)
        {
            throw new RequestException("logprobs", $"'logprobs' must be an integer between 0 and 5, got {logprobs}");
        }

        if (logprobs > 0)
        {
            throw new RequestException("logprobs", "'logprobs' is not supported by this server (it returns no log probabilities)");
        }
    }

    private static CompletionRequest Prompt(JsonElement root, CompletionRequest request)
    {
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw new RequestException("prompt", "'prompt' is required");
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            return request with { Prompt = prompt.GetString()! };
        }

        if (prompt.ValueKind != JsonValueKind.Array)
        {
            throw new RequestException("prompt", $"'prompt' must be a string, an array of one string or an array of token ids, got {JsonKinds.Kind(prompt)}");
        }

        var items = prompt.EnumerateArray().ToArray();
        if (items.Length == 1 && items[0].ValueKind == JsonValueKind.String)
        {
            return request with { Prompt = items[0].GetString()! };
        }

        if (items.Length > 0 && items.All(i => i.ValueKind == JsonValueKind.Number))
        {
            var tokens = new int[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                tokens[i] = items[i].TryGetInt32(out var t) && t >= 0
                    ? t
                    : throw new RequestException("prompt", $"'prompt[{i}]' must be a token id (a non-negative integer), got {items[i].GetRawText()}");
            }

            return request with { PromptTokens = tokens };
        }

        throw new RequestException("prompt", items.Length == 0
            ? "'prompt' must not be an empty array"
            : "'prompt' as an array must hold exactly one string or only token ids (one prompt per request)");
    }

    private static List<ChatMessage> Messages(JsonElement root)
    {
        var array = Property(root, "messages", JsonValueKind.Array)
            ?? throw new RequestException("messages", "'messages' is required");
        var messages = new List<ChatMessage>();
        var i = 0;
        foreach (var m in array.EnumerateArray())
        {
            var field = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
            {
                throw new RequestException(field, $"'{field}' must be an object, got {JsonKinds.Kind(m)}");
            }

            var role = String(m, "role", field + ".role") ?? throw new RequestException(field + ".role", $"'{field}.role' is required");
            if (role is not ("system" or "developer" or "user" or "assistant" or "tool"))
            {
                throw new RequestException(field + ".role", $"'{field}.role' must be system, developer, user, assistant or tool, got '{role}'");
            }

            messages.Add(new ChatMessage(role, Content(m, field)));
        }

        return messages.Count > 0 ? messages : throw new RequestException("messages", "'messages' must hold at least one message");
    }

    private static string Content(JsonElement message, string field)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new RequestException(field + ".content", $"'{field}.content' must be a string or an array of parts, got {JsonKinds.Kind(content)}");
        }

        var text = new System.Text.StringBuilder();
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partField = $"{field}.content[{j++}]";
            var type = part.ValueKind == JsonValueKind.Object ? String(part, "type", partField + ".type") : null;
            if (type != "text")
            {
                throw new RequestException(partField, $"'{partField}' must be a text part ({{\"type\": \"text\", \"text\": ...}}); this model takes text only");
            }

            text.Append(String(part, "text", partField + ".text"));
        }

        return text.ToString();
    }

    private static string[] Stops(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return stop.GetString() is { Length: > 0 } s ? [s] : [];
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > MaxStops
            || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            throw new RequestException("stop", $"'stop' must be a string or an array of at most {MaxStops} strings");
        }

        return [.. stop.EnumerateArray().Select(s => s.GetString()!).Where(s => s.Length > 0)];
    }

    private static ulong? Seed(JsonElement root)
    {
        var e = Property(root, "seed", JsonValueKind.Number);
        if (e is null)
        {
            return null;
        }

        return e.Value.TryGetInt64(out var v)
            ? unchecked((ulong)v)
            : throw new RequestException("seed", $"'seed' must be an integer, got {JsonKinds.Shown(e.Value)}");
    }

    private static JsonElement? Property(JsonElement obj, string name, JsonValueKind kind, string? field = null)
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var isKind = e.ValueKind == kind || (kind == JsonValueKind.True && e.ValueKind == JsonValueKind.False);
        return isKind ? e : throw new RequestException(field ?? name, $"'{field ?? name}' must be {Describe(kind)}, got {JsonKinds.Shown(e)}");
    }

    private static string? String(JsonElement obj, string name, string? field = null) =>
        Property(obj, name, JsonValueKind.String, field)?.GetString();

    private static bool? Bool(JsonElement obj, string name, string? field = null) =>
        Property(obj, name, JsonValueKind.True, field)?.GetBoolean();

    private static float? Float(JsonElement obj, string name)
    {
        var e = Property(obj, name, JsonValueKind.Number);
        if (e is null)
        {
            return null;
        }

        return e.Value.TryGetDouble(out var v) && float.IsFinite((float)v)
            ? (float)v
            : throw new RequestException(name, $"'{name}' must be a finite number, got {JsonKinds.Shown(e.Value)}");
    }

    private static int? Int(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v)
            ? v
            : throw new RequestException(name, $"'{name}' must be an integer between {int.MinValue} and {int.MaxValue}, got {JsonKinds.Shown(e)}");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private sealed class RequestException(string? param, string message) : Exception(message)
    {
        public string? Param { get; } = param;
    }
}
