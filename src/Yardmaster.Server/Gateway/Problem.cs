using System.Text.Json;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// An RFC 9457 problem details answer for the management API: status, title, detail and, for invalid input, the
/// errors: the first <see cref="Core.Configuration.ErrorReport.MaxShown"/> in <c>errors</c> and how many there
/// are in all in <c>error_count</c>.
/// </summary>
internal static class Problem
{
    public static async Task WriteAsync(HttpResponse response, int status, string detail, IReadOnlyList<string>? errors = null)
    {
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        await using var json = new Utf8JsonWriter(response.Body, Core.ReadableJson.Writer);
        json.WriteStartObject();
        json.WriteString("type", $"https://httpstatuses.io/{status}");
        json.WriteString("title", Title(status));
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        if (errors is { Count: > 0 })
        {
            json.WriteStartArray("errors");
            foreach (var e in Core.Configuration.ErrorReport.Shown(errors))
            {
                json.WriteStringValue(e);
            }

            json.WriteEndArray();
            json.WriteNumber("error_count", errors.Count);
        }

        json.WriteEndObject();
        await json.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        507 => "Insufficient Storage",
        _ => "Error",
    };
}
