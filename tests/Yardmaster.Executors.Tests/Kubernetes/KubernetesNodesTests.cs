using k8s.Models;
using Yardmaster.Core.Pipelines;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>Node discovery from <c>GET /api/v1/nodes</c> of the stand-in API server.</summary>
public sealed class KubernetesNodesTests
{
    private static V1Node Node(string name, string cpu, string memory, string? gpus = null, bool cordoned = false)
    {
        var allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110"), ["ephemeral-storage"] = new("95491281146") };
        if (gpus is not null)
        {
            allocatable["nvidia.com/gpu"] = new ResourceQuantity(gpus);
        }

        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Unschedulable = cordoned ? true : null },
            Status = new V1NodeStatus { Allocatable = allocatable, Capacity = allocatable },
        };
    }

    [Fact]
    public async Task DiscoverAsync_Nodes_AllocatableCpuMemoryAndGpusAsKubernetesNodes()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Nodes.AddRange([Node("cpu-1", "3800m", "15828044Ki"), Node("gpu-1", "31", "128Gi", gpus: "4"), Node("gpu-2", "31", "128Gi", gpus: "4", cordoned: true)]);

        var nodes = await KubernetesNodes.DiscoverAsync(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TestContext.Current.CancellationToken);

        Assert.Equal(
            [new NodeCapacity("cpu-1", 3800, 15828044L * 1024, 0) { Engine = Engines.Kubernetes }, new NodeCapacity("gpu-1", 31000, 128L << 30, 4) { Engine = Engines.Kubernetes }],
            nodes);
    }

    [Fact]
    public async Task DiscoverAsync_Forbidden_ThrowsNamingTheServerAndTheStatus()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Forbidden = true;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => KubernetesNodes.DiscoverAsync(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TestContext.Current.CancellationToken));

        Assert.Contains($"the Kubernetes API at {api.Url.ToString().TrimEnd('/')} refused to list its nodes: 403 Forbidden", e.Message, StringComparison.Ordinal);
    }
}
