using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A model mirror on a loopback port (Kestrel): serves files by name under its base URL, as
/// <c>YARD_MODEL_BASE_URL</c> expects (<c>{base}/{file name}</c>), answers 404 for anything else and
/// records every request path.
/// </summary>
public sealed class ModelMirror : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests;

    private ModelMirror(WebApplication app, Uri baseUrl, ConcurrentQueue<string> requests)
    {
        _app = app;
        BaseUrl = baseUrl;
        _requests = requests;
    }

    /// <summary>The mirror's root, ending in a slash.</summary>
    public Uri BaseUrl { get; }

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts a mirror serving each of <paramref name="files"/> under its file name.</summary>
    public static async Task<ModelMirror> StartAsync(params string[] files)
    {
        var requests = new ConcurrentQueue<string>();
        var byName = files.ToDictionary(f => Path.GetFileName(f), StringComparer.Ordinal);
        var (app, url) = await LoopbackApp.StartAsync(app => app.Run(http =>
        {
            var path = http.Request.Path.Value ?? string.Empty;
            requests.Enqueue(path);
            return byName.TryGetValue(path.TrimStart('/'), out var file)
                ? Results.File(file, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(http)
                : Results.NotFound().ExecuteAsync(http);
        }));
        return new ModelMirror(app, url, requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
