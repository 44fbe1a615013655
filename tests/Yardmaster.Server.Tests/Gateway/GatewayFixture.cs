namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// One real gateway shared by a test class (xunit class fixture): started from <see cref="Yaml"/> on a temp data
/// folder, stopped and the folder removed at the end. Subclasses give the configuration and, when auth is on, the key
/// the harness's own client sends.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public GatewayHarness Gateway { get; private set; } = null!;

    /// <summary>The gateway's data folder (store, logs, generated admin token).</summary>
    public string DataDirectory => _data.Path;

    /// <summary>The yard.yaml text (relative model paths resolve against the shared models folder).</summary>
    protected abstract string Yaml { get; }

    /// <summary>The key the harness's client sends; null when the gateway is open.</summary>
    protected virtual string? Key => null;

    public async ValueTask InitializeAsync() => Gateway = await GatewayHarness.StartAsync(Yaml, _data.Path, Key);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
