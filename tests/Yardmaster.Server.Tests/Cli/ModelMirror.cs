using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A model mirror on a loopback port (Kestrel): serves files by name under its base URL, as
/// <c>YARD_MODEL_BASE_URL</c> expects (<c>{base}/{file name}</c>), answers 404 for anything else and
/// records every request path.
/// </summary>
public sealed class ModelMirror : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();

    private ModelMirror(IEnumerable<string> files)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        var byName = files.ToDictionary(f => Path.GetFileName(f), StringComparer.Ordinal);
        _app.Run(http =>
        {
            var path = http.Request.Path.Value ?? string.Empty;
            _requests.Enqueue(path);
            return byName.TryGetValue(path.TrimStart('/'), out var file)
                ? Results.File(file, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(http)
                : Results.NotFound().ExecuteAsync(http);
        });
    }

    /// <summary>The mirror's root, ending in a slash.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts a mirror serving each of <paramref name="files"/> under its file name.</summary>
    public static async Task<ModelMirror> StartAsync(params string[] files)
    {
        var mirror = new ModelMirror(files);
        await mirror._app.StartAsync();
        var address = mirror._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        mirror.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return mirror;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
