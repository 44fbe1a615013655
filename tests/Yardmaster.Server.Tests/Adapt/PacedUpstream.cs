using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Adapt;

/// <summary>
/// An OpenAI-compatible endpoint on a loopback port that answers a completion after 10 ms per requested token
/// (<c>max_tokens</c>), one request at a time per slot the gateway gives it: a remote model of known speed (decode 100
/// tokens/s), so a test can declare the same speed in <c>models[].simulation</c>.
/// </summary>
public sealed class PacedUpstream : IAsyncDisposable
{
    /// <summary>Time per output token.</summary>
    public static readonly TimeSpan PerToken = TimeSpan.FromMilliseconds(10);

    private readonly WebApplication _app;

    private PacedUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Url = new Uri(root, "v1");
    }

    /// <summary>The OpenAI base URL, ending in <c>/v1</c>.</summary>
    public Uri Url { get; }

    public static async Task<PacedUpstream> StartAsync()
    {
        var (app, root) = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "paced", @object = "model" } } }));
            app.MapPost("/v1/completions", async (HttpContext http) =>
            {
                using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                var tokens = body.RootElement.TryGetProperty("max_tokens", out var m) ? m.GetInt32() : 16;
                await Task.Delay(PerToken * tokens, http.RequestAborted);
                return Results.Json(new
                {
                    id = "cmpl-paced",
                    @object = "text_completion",
                    model = "paced",
                    choices = new[] { new { index = 0, text = string.Concat(Enumerable.Repeat(" x", tokens)), finish_reason = "length" } },
                    usage = new { prompt_tokens = 8, completion_tokens = tokens, total_tokens = 8 + tokens },
                });
            });
        });
        return new PacedUpstream(app, root);
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }
}
