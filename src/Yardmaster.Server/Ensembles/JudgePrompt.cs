using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Server.Ensembles;

/// <summary>
/// The request sent to the judge of a <c>combine: judge</c> ensemble: the original question and the members' answers,
/// numbered, with the instruction to reply with the best answer (merging the others' correct parts), and nothing else.
/// Sent at temperature 0 with the request's <c>max_tokens</c>. Pure.
/// </summary>
internal static class JudgePrompt
{
    /// <summary>The instruction (the system message for chat; the first paragraph for completions).</summary>
    public const string Instruction =
        "You judge the answers of several assistants to the same request. Reply with the single best answer to the request, " +
        "correcting it or merging into it what the other answers got right. Reply with the answer only: no preamble, no mention of the assistants.";

    /// <summary>The judge's request body, of the same kind (chat or completions) as the original.</summary>
    public static byte[] Body(string judge, JsonElement original, bool chat, IReadOnlyList<MemberResult> answered)
    {
        var question = Question(original, chat);
        var text = new StringBuilder();
        text.Append("Request:\n").Append(question).Append("\n\n");
        for (var i = 0; i < answered.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Answer {i + 1}:\n").Append(answered[i].Text.Trim()).Append("\n\n");
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", judge);
            json.WriteNumber("temperature", 0);
            if (original.TryGetProperty("max_tokens", out var max) && max.ValueKind == JsonValueKind.Number)
            {
                json.WriteNumber("max_tokens", max.GetInt32());
            }
            else if (original.TryGetProperty("max_completion_tokens", out var maxCompletion) && maxCompletion.ValueKind == JsonValueKind.Number)
            {
                json.WriteNumber("max_tokens", maxCompletion.GetInt32());
            }

            if (chat)
            {
                json.WriteStartArray("messages");
                Message(json, "system", Instruction);
                Message(json, "user", text.Append("The best answer:").ToString());
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("prompt", Instruction + "\n\n" + text + "The best answer:");
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The question as the members saw it: the chat's messages as "role: content" lines, or the prompt.</summary>
    private static string Question(JsonElement original, bool chat)
    {
        if (!chat)
        {
            return original.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String ? prompt.GetString()! : original.GetProperty("prompt").GetRawText();
        }

        var lines = new StringBuilder();
        foreach (var message in original.GetProperty("messages").EnumerateArray())
        {
            var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "user";
            var content = message.TryGetProperty("content", out var c) ? (c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText()) : string.Empty;
            lines.Append(role).Append(": ").Append(content).Append('\n');
        }

        return lines.ToString().TrimEnd();
    }

    private static void Message(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }
}
