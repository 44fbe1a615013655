using System.Buffers.Text;

namespace Yardmaster.Server.Backends;

/// <summary>Finds OpenAI usage counts in a response body or stream chunk without parsing the whole JSON.</summary>
internal static class UsageScanner
{
    public static bool TryFind(ReadOnlySpan<byte> json, out int promptTokens, out int completionTokens)
    {
        promptTokens = Number(json, "\"prompt_tokens\":"u8);
        completionTokens = Number(json, "\"completion_tokens\":"u8);
        return promptTokens >= 0 && completionTokens >= 0;
    }

    /// <summary>Finds <c>"prompt_tokens":N</c> alone (an embeddings answer has no completion tokens).</summary>
    public static bool TryFindPrompt(ReadOnlySpan<byte> json, out int promptTokens)
    {
        promptTokens = Number(json, "\"prompt_tokens\":"u8);
        return promptTokens >= 0;
    }

    /// <summary>Counts server-sent events (<c>data:</c> lines) in a chunk, not counting <c>[DONE]</c>.</summary>
    public static int CountEvents(ReadOnlySpan<byte> chunk)
    {
        var n = 0;
        var rest = chunk;
        int at;
        while ((at = rest.IndexOf("data:"u8)) >= 0)
        {
            rest = rest[(at + 5)..];
            if (!rest.TrimStart(" "u8).StartsWith("[DONE]"u8))
            {
                n++;
            }
        }

        return n;
    }

    private static int Number(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key)
    {
        var at = json.IndexOf(key);
        if (at < 0)
        {
            return -1;
        }

        var rest = json[(at + key.Length)..].TrimStart(" "u8);
        return Utf8Parser.TryParse(rest, out int value, out _) ? value : -1;
    }
}
