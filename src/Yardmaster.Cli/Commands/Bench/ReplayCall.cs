using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>
/// Sends one streamed completion to the gateway and times it: TTFT is the first event that carries text, latency the
/// end of the stream. Outcomes: 2xx ending in <c>[DONE]</c> completed; 429 and 503 refused; 504, an error event about
/// the deadline, or no end within the client's timeout timed out; 400, 404 and 413 invalid; anything else failed.
/// Thread-safe (one per replay, shared by its requests).
/// </summary>
internal sealed class ReplayCall(HttpClient http, Uri url, string? key, bool chat, TimeProvider time, TimeSpan timeout)
{
    /// <summary>What one request gave: outcome, status, reason, TTFT, latency and the server's usage.</summary>
    public sealed record Answer(RequestOutcome Outcome, int? Status, string? Reason, TimeSpan? Ttft, TimeSpan Latency, int? PromptTokens, int? OutputTokens);

    public async Task<Answer> SendAsync(string task, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, chat ? "v1/chat/completions" : "v1/completions"))
        {
            Content = new ByteArrayContent(Body(task, prompt, maxTokens)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var start = time.GetTimestamp();
        TimeSpan? ttft = null;
        int? status = null;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
                var (code, message) = Error(body);
                return new(OutcomeOf(status.Value), status, code ?? message ?? $"http_{status}", null, time.GetElapsedTime(start), null, null);
            }

            using var stream = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            int? served = null, generated = null;
            while (await reader.ReadLineAsync(limit.Token).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    return new(RequestOutcome.Completed, status, null, ttft ?? time.GetElapsedTime(start), time.GetElapsedTime(start), served, generated);
                }

                using var chunk = JsonDocument.Parse(data.ToString());
                var root = chunk.RootElement;
                if (root.TryGetProperty("error", out var error))
                {
                    var (code, message) = Error(error);
                    var timedOut = code == "deadline_exceeded" || (message?.Contains("deadline", StringComparison.OrdinalIgnoreCase) ?? false);
                    return new(timedOut ? RequestOutcome.TimedOut : RequestOutcome.Failed, status, timedOut ? "deadline_exceeded" : code ?? "stream_error", ttft, time.GetElapsedTime(start), served, generated);
                }

                if (ttft is null && HasText(root))
                {
                    ttft = time.GetElapsedTime(start);
                }

                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    served = Int(usage, "prompt_tokens") ?? served;
                    generated = Int(usage, "completion_tokens") ?? generated;
                }
            }

            return new(RequestOutcome.Failed, status, "stream_ended_without_done", ttft, time.GetElapsedTime(start), served, generated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(RequestOutcome.TimedOut, status, "client_timeout", ttft, time.GetElapsedTime(start), null, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new(RequestOutcome.Failed, status, e is JsonException ? "event_not_json" : "connection_failed", ttft, time.GetElapsedTime(start), null, null);
        }
    }

    private byte[] Body(string task, string prompt, int maxTokens)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", task);
            if (chat)
            {
                json.WriteStartArray("messages");
                json.WriteStartObject();
                json.WriteString("role", "user");
                json.WriteString("content", prompt);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("prompt", prompt);
            }

            json.WriteNumber("max_tokens", maxTokens);
            json.WriteBoolean("ignore_eos", true);
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static RequestOutcome OutcomeOf(int status) => status switch
    {
        429 or 503 => RequestOutcome.Refused,
        504 => RequestOutcome.TimedOut,
        400 or 404 or 413 => RequestOutcome.Invalid,
        _ => RequestOutcome.Failed,
    };

    private static bool HasText(JsonElement root)
    {
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return false;
        }

        var first = choices[0];
        var text = first.TryGetProperty("text", out var t) ? t
            : first.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("content", out var c) ? c
            : default;
        return text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0;
    }

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    private static (string? Code, string? Message) Error(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) ? Error(error) : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static (string? Code, string? Message) Error(JsonElement error) => error.ValueKind == JsonValueKind.Object
        ? (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
           error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null)
        : (null, error.ValueKind == JsonValueKind.String ? error.GetString() : null);
}
