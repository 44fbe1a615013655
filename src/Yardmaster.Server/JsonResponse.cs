using System.Text.Json;

namespace Yardmaster.Server;

/// <summary>Writes a JSON answer straight to the response body.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        http.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        write(json);
        await json.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
