using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// An OpenAI-compatible endpoint on a loopback port whose chat stream sends one chunk every 50 ms for a
/// minute: an answer that is still running when a test stops the gateway.
/// </summary>
public sealed class SlowUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlowUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Url = new Uri(root, "v1");
    }

    /// <summary>The OpenAI base URL, ending in <c>/v1</c>.</summary>
    public Uri Url { get; }

    public static async Task<SlowUpstream> StartAsync()
    {
        var (app, root) = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "slow", @object = "model" } } }));
            app.MapPost("/v1/chat/completions", async (HttpContext http) =>
            {
                http.Response.ContentType = "text/event-stream";
                for (var i = 0; i < 1200 && !http.RequestAborted.IsCancellationRequested; i++)
                {
                    await http.Response.WriteAsync("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await Task.Delay(50, http.RequestAborted);
                }
            });
        });
        return new SlowUpstream(app, root);
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }
}
