using Yardmaster.Core.Pipelines;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Node discovery against the live two-node cluster.</summary>
public sealed class SlurmNodesDiscoveryTests(SlurmClusterFixture cluster) : IClassFixture<SlurmClusterFixture>
{
    [Fact]
    public async Task DiscoverAsync_TestCluster_FindsN1AndN2WithTheirConfiguredSize()
    {
        var nodes = await SlurmNodes.DiscoverAsync(cluster.Options(o => o.Partition = null), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(cluster.Nodes, nodes.Select(n => n.Capacity.Name));
        Assert.All(nodes, n => Assert.Equal(new NodeCapacity(n.Capacity.Name, 2000, 4000L * 1024 * 1024, 0) { Engine = Engines.Slurm, Address = "127.0.0.1" }, n.Capacity));
        Assert.All(nodes, n => Assert.True(n.Available, $"{n.Capacity.Name} is {n.State}"));
    }

    [Fact]
    public async Task DiscoverAsync_PartitionWithoutNodes_FindsNone()
    {
        var nodes = await SlurmNodes.DiscoverAsync(cluster.Options(o => o.Partition = "no-such-partition"), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Empty(nodes);
    }

    [Fact]
    public async Task DiscoverAsync_ControllerDown_ThrowsSayingItCannotBeContacted()
    {
        using var dir = new TempDirectory();
        var conf = (await File.ReadAllLinesAsync(cluster.Conf, TestContext.Current.CancellationToken)).Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=16899" : l);
        await File.WriteAllLinesAsync(dir.File("slurm.conf"), conf, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<SlurmCommandException>(() => SlurmNodes.DiscoverAsync(cluster.Options(o => o.Conf = dir.File("slurm.conf")), TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.Contains("Unable to contact slurm controller", error.Message, StringComparison.Ordinal);
    }
}
