using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// Reads an OpenAI embeddings request (<c>CreateEmbeddingRequest</c>): <c>input</c> a string, an array of
/// strings, an array of token ids or an array of arrays of token ids; <c>encoding_format</c> <c>float</c>
/// or <c>base64</c>; <c>dimensions</c>; <c>model</c>. The first problem is returned naming the field
/// (<c>input[3]</c>); unknown fields (<c>user</c>) are ignored as OpenAI's API does. Thread-safe (stateless).
/// </summary>
internal static class EmbeddingsParser
{
    /// <summary>Most inputs in one request (OpenAI's limit).</summary>
    public const int MaxInputs = 2048;

    public static (EmbeddingsRequest? Request, OpenAiError? Error) Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Bad(null, $"the request body must be a JSON object, got {JsonKinds.Kind(root)}");
        }

        string? model = null;
        if (root.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.String)
            {
                return Bad("model", $"'model' must be a string, got {JsonKinds.Shown(m)}");
            }

            model = m.GetString();
        }

        var base64 = false;
        if (root.TryGetProperty("encoding_format", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            if (f.ValueKind != JsonValueKind.String || f.GetString() is not ("float" or "base64"))
            {
                return Bad("encoding_format", $"'encoding_format' must be \"float\" or \"base64\", got {JsonKinds.Shown(f)}");
            }

            base64 = f.GetString() == "base64";
        }

        int? dimensions = null;
        if (root.TryGetProperty("dimensions", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var n) || n < 1)
            {
                return Bad("dimensions", $"'dimensions' must be an integer of at least 1, got {JsonKinds.Shown(d)}");
            }

            dimensions = n;
        }

        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            return Bad("input", "'input' is required: a string, an array of strings, an array of token ids or an array of arrays of token ids");
        }

        var (inputs, single, error) = Inputs(input);
        return error is not null
            ? (null, error)
            : (new EmbeddingsRequest { Model = model, Inputs = inputs!, Single = single, Base64 = base64, Dimensions = dimensions }, null);
    }

    private static (List<EmbeddingsInput>? Inputs, bool Single, OpenAiError? Error) Inputs(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return input.GetString()!.Length == 0
                ? (null, true, OpenAiError.BadRequest("'input' must not be an empty string", "input"))
                : ([new EmbeddingsInput(input.GetString(), null)], true, null);
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return (null, false, OpenAiError.BadRequest($"'input' must be a string or an array, got {JsonKinds.Shown(input)}", "input"));
        }

        var count = input.GetArrayLength();
        if (count == 0)
        {
            return (null, false, OpenAiError.BadRequest("'input' must not be an empty array", "input"));
        }

        if (input[0].ValueKind == JsonValueKind.Number)
        {
            // One input given as token ids.
            var (tokens, error) = Tokens(input, "input");
            return error is null ? ([new EmbeddingsInput(null, tokens)], true, null) : (null, true, error);
        }

        if (count > MaxInputs)
        {
            return (null, false, OpenAiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'input' has {count} inputs, more than the limit of {MaxInputs}; send them in several requests"), "input"));
        }

        var inputs = new List<EmbeddingsInput>(count);
        var i = 0;
        foreach (var item in input.EnumerateArray())
        {
            var param = string.Create(CultureInfo.InvariantCulture, $"input[{i}]");
            switch (item.ValueKind)
            {
                case JsonValueKind.String when item.GetString()!.Length == 0:
                    return (null, false, OpenAiError.BadRequest($"'{param}' must not be an empty string", param));
                case JsonValueKind.String:
                    inputs.Add(new EmbeddingsInput(item.GetString(), null));
                    break;
                case JsonValueKind.Array:
                    var (tokens, error) = Tokens(item, param);
                    if (error is not null)
                    {
                        return (null, false, error);
                    }

                    inputs.Add(new EmbeddingsInput(null, tokens));
                    break;
                default:
                    return (null, false, OpenAiError.BadRequest($"'{param}' must be a string or an array of token ids, got {JsonKinds.Shown(item)}", param));
            }

            i++;
        }

        return (inputs, false, null);
    }

    private static (int[]? Tokens, OpenAiError? Error) Tokens(JsonElement array, string param)
    {
        if (array.GetArrayLength() == 0)
        {
            return (null, OpenAiError.BadRequest($"'{param}' must not be an empty array of token ids", param));
        }

        var tokens = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var t in array.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out var id) || id < 0)
            {
                return (null, OpenAiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{param}' must hold token ids (integers of at least 0); item {i} is {JsonKinds.Shown(t)}"), param));
            }

            tokens[i++] = id;
        }

        return (tokens, null);
    }

    private static (EmbeddingsRequest?, OpenAiError?) Bad(string? param, string message) => (null, OpenAiError.BadRequest(message, param));
}
