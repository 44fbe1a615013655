using System.Buffers;
using System.Text.Json;
using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.ModelServer;

/// <summary>Writes completion responses and stream chunks in OpenAI's exact shapes.</summary>
internal static class CompletionJson
{
    public static byte[] Response(CompletionContext c, string text, GenerationFinished finish)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (text.Length * 2));
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            Header(json, c, c.Chat ? "chat.completion" : "text_completion");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            if (c.Chat)
            {
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", text);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", text);
            }

            json.WriteNull("logprobs");
            json.WriteString("finish_reason", Reason(finish.Reason));
            json.WriteEndObject();
            json.WriteEndArray();
            Usage(json, finish);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A stream chunk: text delta (or the role announcement for chat when <paramref name="text"/> is null), or the last chunk with its finish reason.</summary>
    public static byte[] Chunk(CompletionContext c, string? text, FinishReason? finish, bool roleOnly = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            Header(json, c, c.Chat ? "chat.completion.chunk" : "text_completion");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            if (c.Chat)
            {
                json.WriteStartObject("delta");
                if (roleOnly)
                {
                    json.WriteString("role", "assistant");
                    json.WriteString("content", string.Empty);
                }
                else if (text is not null)
                {
                    json.WriteString("content", text);
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", text ?? string.Empty);
            }

            json.WriteNull("logprobs");
            if (finish is { } reason)
            {
                json.WriteString("finish_reason", Reason(reason));
            }
            else
            {
                json.WriteNull("finish_reason");
            }

            json.WriteEndObject();
            json.WriteEndArray();
            if (c.IncludeUsage)
            {
                json.WriteNull("usage");
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The usage chunk that <c>stream_options.include_usage</c> asks for: empty choices and the counts.</summary>
    public static byte[] UsageChunk(CompletionContext c, GenerationFinished finish)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Core.ReadableJson.Writer))
        {
            Header(json, c, c.Chat ? "chat.completion.chunk" : "text_completion");
            json.WriteStartArray("choices");
            json.WriteEndArray();
            Usage(json, finish);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Reason(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    private static void Header(Utf8JsonWriter json, CompletionContext c, string type)
    {
        json.WriteStartObject();
        json.WriteString("id", c.Id);
        json.WriteString("object", type);
        json.WriteNumber("created", c.Created);
        json.WriteString("model", c.Model);
        json.WriteString("system_fingerprint", "yardmaster");
    }

    private static void Usage(Utf8JsonWriter json, GenerationFinished finish)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", finish.PromptTokens);
        json.WriteNumber("completion_tokens", finish.CompletionTokens);
        json.WriteNumber("total_tokens", finish.PromptTokens + finish.CompletionTokens);
        json.WriteEndObject();
    }
}
