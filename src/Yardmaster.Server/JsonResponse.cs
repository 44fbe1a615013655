using System.Text.Json;

namespace Yardmaster.Server;

/// <summary>Writes a JSON answer straight to the response body.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        http.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(http.Response.Body, Core.ReadableJson.Writer);
        write(json);
        await json.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A 202 answer <c>{"KEY": "VALUE", "state": "STATE"}</c>: an action was taken and goes on.</summary>
    public static Task AcceptedAsync(HttpContext http, string key, string value, string state)
    {
        http.Response.StatusCode = 202;
        return WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString(key, value);
            json.WriteString("state", state);
            json.WriteEndObject();
        });
    }
}
