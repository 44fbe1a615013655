using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// An OpenAI-compatible endpoint on a loopback port (Kestrel) whose chat stream sends one chunk every
/// 50 ms for a minute: an answer that is still running when a test stops the gateway.
/// </summary>
public sealed class SlowUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlowUpstream()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "slow", @object = "model" } } }));
        _app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 1200 && !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.WriteAsync("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(50, http.RequestAborted);
            }
        });
    }

    /// <summary>The OpenAI base URL, ending in <c>/v1</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<SlowUpstream> StartAsync()
    {
        var upstream = new SlowUpstream();
        await upstream._app.StartAsync();
        var address = upstream._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.Url = new Uri(address.TrimEnd('/') + "/v1");
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }
}
