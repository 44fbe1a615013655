using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Reading what the gateway answers: server-sent events, OpenAI errors, problem details.</summary>
internal static class GatewayResponses
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    /// <summary>The <c>data:</c> payloads of a stream, in order, to its end.</summary>
    public static async Task<List<string>> EventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
            }
        }

        return events;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    /// <summary>Asserts the status and OpenAI's error shape; returns the <c>error</c> object.</summary>
    public static async Task<JsonElement> AssertOpenAiErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("param", out _), "error.param is missing");
        Assert.True(error.TryGetProperty("code", out _), "error.code is missing");
        return error;
    }

    /// <summary>Asserts the status and RFC 9457 problem details; returns the document.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
