using Yardmaster.Core.Pipelines;
using Yardmaster.Executors.Slurm;

namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Node discovery's reading of <c>scontrol show nodes --oneliner</c>, on recorded and documented outputs.</summary>
public sealed class SlurmNodesParseTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Parse_TestCluster_GivesBothNodesWithCpusMemoryAndState()
    {
        var nodes = SlurmNodes.Parse(SlurmRecordedOutput.TwoNodes);

        Assert.Equal(
            [
                new NodeCapacity("n1", 2000, 4000 * MiB, 0) { Engine = Engines.Slurm, Address = "127.0.0.1" },
                new NodeCapacity("n2", 2000, 4000 * MiB, 0) { Engine = Engines.Slurm, Address = "127.0.0.1" },
            ],
            nodes.Select(n => n.Capacity));
        Assert.Equal(["IDLE", "MIXED"], nodes.Select(n => n.State));
        Assert.All(nodes, n => Assert.True(n.Available));
        Assert.All(nodes, n => Assert.Equal(["main"], n.Partitions));
    }

    [Fact]
    public void Parse_GpuNode_CountsTypedGpusAndUsesEffectiveCpus()
    {
        var node = Assert.Single(SlurmNodes.Parse(SlurmRecordedOutput.GpuNode));

        Assert.Equal(new NodeCapacity("gpu01", 126_000, 1_031_000 * MiB, 4) { Engine = Engines.Slurm, Address = "10.1.0.11" }, node.Capacity);
        Assert.Equal(["gpu", "all"], node.Partitions);
        Assert.True(node.Available);
    }

    [Fact]
    public void Parse_DrainedAndNotRespondingNodes_AreListedButNotAvailable()
    {
        var nodes = SlurmNodes.Parse(SlurmRecordedOutput.UnhealthyNodes);

        Assert.Equal(["cpu07", "cpu08"], nodes.Select(n => n.Capacity.Name));
        Assert.Equal(["IDLE+DRAIN", "DOWN*+NOT_RESPONDING"], nodes.Select(n => n.State));
        Assert.All(nodes, n => Assert.False(n.Available));
        Assert.Equal(4, nodes[1].Capacity.Gpus);
    }

    [Theory]
    [InlineData("(null)", 0)]
    [InlineData("", 0)]
    [InlineData("gpu:4", 4)]
    [InlineData("gpu", 1)]
    [InlineData("gpu:a100", 1)]
    [InlineData("gpu:a100:4(S:0-1)", 4)]
    [InlineData("gpu:tesla:2,gpu:k80:2(S:0,1),mps:200", 4)]
    [InlineData("mps:400,shard:8", 0)]
    public void GpuCount_GresValue_SumsGpuEntries(string gres, int expected) =>
        Assert.Equal(expected, SlurmNodes.GpuCount(gres));

    [Theory]
    [InlineData("IDLE", true)]
    [InlineData("MIXED", true)]
    [InlineData("ALLOCATED", true)]
    [InlineData("IDLE*", false)]
    [InlineData("DOWN", false)]
    [InlineData("MIXED+DRAIN", false)]
    [InlineData("IDLE+POWERED_DOWN", false)]
    [InlineData("ALLOCATED+MAINTENANCE", false)]
    [InlineData("IDLE+COMPLETING", true)]
    public void Available_State_IsTrueOnlyWhenSlurmWouldStartJobs(string state, bool available) =>
        Assert.Equal(available, new SlurmNode(new NodeCapacity("x", 1000, MiB, 0), state, []).Available);

    [Fact]
    public void DefaultPartition_PartitionLines_IsTheOneMarkedDefault()
    {
        Assert.Equal("main", SlurmNodes.DefaultPartition(SlurmRecordedOutput.Partitions));
        Assert.Null(SlurmNodes.DefaultPartition("PartitionName=a Default=NO Nodes=n1"));
    }
}
