using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Tests.ModelServer;

/// <summary>A real model server on a loopback port serving stories260K: 2 slots, a queue of 1, context 256.</summary>
public sealed class ModelServerFixture : IAsyncLifetime
{
    private ModelServerApp? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    internal ModelServerApp App => _app!;

    public async ValueTask InitializeAsync()
    {
        _app = ModelServerApp.Create(new ModelServerOptions
        {
            ModelPath = SharedModels.Stories260K,
            Port = 0,
            Engine = new() { Slots = 2, MaxQueue = 1, ContextLength = 256, Threads = 2 },
        });
        BaseUrl = await _app.StartAsync(CancellationToken.None);
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
