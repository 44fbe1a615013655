using System.Text;
using System.Text.Json;

namespace Yardmaster.Server.Ensembles;

/// <summary>Reading and comparing the text of OpenAI answers. Pure.</summary>
internal static class AnswerText
{
    /// <summary>The first choice's text: <c>message.content</c> for chat, <c>text</c> for completions; empty when absent.</summary>
    public static string Of(JsonElement answer)
    {
        if (!answer.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return string.Empty;
        }

        var first = choices[0];
        if (first.TryGetProperty("message", out var message) && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        return first.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : string.Empty;
    }

    /// <summary>The text as votes compare it: trimmed, case-folded, every run of whitespace one space.</summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
