using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Observability;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port: accepts <c>POST /v1/traces</c> and keeps each body with its content type,
/// as a collector would receive them (it does not decode the protobuf; tests look for the bytes of names in it).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The root URL (the exporter appends <c>/v1/traces</c>).</summary>
    public Uri Url { get; }

    /// <summary>Every export received: its content type and body.</summary>
    public ConcurrentQueue<(string? ContentType, byte[] Body)> Exports { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var (app, url) = await LoopbackApp.StartAsync(app => app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            receiver!.Exports.Enqueue((http.Request.ContentType, body.ToArray()));
            http.Response.ContentType = "application/x-protobuf";
        }));
        receiver = new OtlpReceiver(app, url);
        return receiver;
    }

    /// <summary>True when some export's body holds the UTF-8 bytes of <paramref name="text"/>.</summary>
    public bool Received(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return Exports.Any(e => e.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
