using System.Text.Json;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The gateway's count of a request's prompt tokens before any backend sees it (the gateway has no tokenizer): token ids
/// count one each; text about four characters a token (rounded up), the usual ratio of English text to BPE tokens.
/// Admission predicts a request's service from this count and the rates the model's finished requests taught it, counted
/// the same way, so a model whose tokenizer packs text differently only scales its learned prompt rate.
/// </summary>
internal static class PromptTokens
{
    private const int CharsPerToken = 4;

    /// <summary>The count for a body <c>Check</c> accepted: <c>messages[].content</c> for chat, else <c>prompt</c>.</summary>
    public static int Count(JsonElement root, bool chat)
    {
        long count = 0;
        if (chat)
        {
            foreach (var message in root.GetProperty("messages").EnumerateArray())
            {
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content))
                {
                    count += Of(content);
                }
            }
        }
        else
        {
            count = Of(root.GetProperty("prompt"));
        }

        return (int)Math.Min(int.MaxValue, count);
    }

    /// <summary>The count for an embeddings request's <c>input</c> (a string, strings, token ids or arrays of them).</summary>
    public static int Input(JsonElement input) => (int)Math.Min(int.MaxValue, Of(input));

    private static long Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => (value.GetString()!.Length + CharsPerToken - 1) / CharsPerToken,
        JsonValueKind.Number => 1, // a token id
        JsonValueKind.Array => value.EnumerateArray().Sum(Of), // strings, token ids, arrays of token ids, content parts
        JsonValueKind.Object => value.TryGetProperty("text", out var text) ? Of(text) : 0, // a content part
        _ => 0,
    };
}
