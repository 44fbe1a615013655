namespace Yardmaster.Server.Tests.Cluster;

/// <summary>Two instances on one new database (lease 3 s), started one after the other, shared by a test class.</summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    private ServeCluster? _cluster;

    /// <summary>The cluster.</summary>
    public ServeCluster Cluster => _cluster ?? throw new InvalidOperationException("not initialized");

    /// <summary>The instance started first.</summary>
    public ServeInstance First { get; private set; } = null!;

    /// <summary>The instance started second.</summary>
    public ServeInstance Second { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await ServeCluster.CreateAsync(TimeSpan.FromSeconds(3));
        First = await _cluster.StartAsync();
        Second = await _cluster.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
