using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>
/// The real two-node test cluster (<see cref="SlurmTestCluster"/>) and one in-process gateway whose <c>jobs</c> send
/// every step there (<c>executor: slurm</c>, <c>poll: 250ms</c>), with a SQLite store in a temp data folder.
/// </summary>
public sealed class SlurmGatewayFixture : IAsyncLifetime
{
    public const string AdminKey = "slurm-admin-key";

    private readonly TempDirectory _data = new();
    private SlurmTestCluster? _cluster;
    private GatewayHarness? _gateway;

    public SlurmTestCluster Cluster => _cluster ?? throw new InvalidOperationException("not initialized");

    public GatewayHarness Gateway => _gateway ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync()
    {
        _cluster = await SlurmTestCluster.OpenAsync(CancellationToken.None);
        var yaml = $$"""
            server: { port: 0 }
            auth: { admin_keys: [{{AdminKey}}] }
            """ + "\n" + SlurmRuns.JobsYaml(_cluster);
        _gateway = await GatewayHarness.StartAsync(yaml, _data.Path, AdminKey);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _data.Dispose();
    }
}
