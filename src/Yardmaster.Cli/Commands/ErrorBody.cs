using System.Net;
using System.Text;
using System.Text.Json;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Turns an error answer into one message for people: the OpenAI error's <c>message</c>, or the problem
/// details' <c>detail</c> followed by each of its <c>errors</c>, or else the status and the start of the body.
/// </summary>
internal static class ErrorBody
{
    private const int MaxRawChars = 300;

    public static string Describe(HttpStatusCode status, string body)
    {
        var prefix = $"{(int)status} {ReasonOf(status)}: ";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error) && Message(error) is { } openAi)
                {
                    return prefix + openAi;
                }

                if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    return prefix + WithErrors(detail.GetString()!, root);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): show the start of it below.
        }

        var raw = body.Trim();
        return raw.Length == 0 ? prefix.TrimEnd(' ', ':') : prefix + (raw.Length > MaxRawChars ? raw[..MaxRawChars] + "…" : raw);
    }

    /// <summary>The <c>message</c> of an OpenAI error object (or the error itself when it is a string).</summary>
    public static string? Message(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString(),
        JsonValueKind.Object when error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String => m.GetString(),
        _ => null,
    };

    private static string WithErrors(string detail, JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return detail;
        }

        var text = new StringBuilder(detail);
        foreach (var e in errors.EnumerateArray())
        {
            text.Append("\n  ").Append(e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText());
        }

        // The server lists the first 100 errors and counts them all in error_count.
        if (root.TryGetProperty("error_count", out var count) && count.TryGetInt32(out var total)
            && ErrorReport.More(errors.GetArrayLength(), total) is { } more)
        {
            text.Append("\n  ").Append(more);
        }

        return text.ToString();
    }

    private static string ReasonOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.Conflict => "Conflict",
        HttpStatusCode.RequestEntityTooLarge => "Payload Too Large",
        HttpStatusCode.TooManyRequests => "Too Many Requests",
        HttpStatusCode.BadGateway => "Bad Gateway",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        HttpStatusCode.GatewayTimeout => "Gateway Timeout",
        _ => status.ToString(),
    };
}
