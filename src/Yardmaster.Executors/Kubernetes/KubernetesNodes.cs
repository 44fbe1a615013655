using k8s;
using k8s.Models;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>The cluster's nodes as the ledger counts them.</summary>
public static class KubernetesNodes
{
    /// <summary>
    /// Lists the nodes (<c>GET /api/v1/nodes</c>) and gives each schedulable one's <c>allocatable</c> CPU (millicores),
    /// memory (bytes) and <c>nvidia.com/gpu</c> as a <see cref="NodeCapacity"/> of engine <see cref="Engines.Kubernetes"/>.
    /// Cordoned nodes (<c>spec.unschedulable</c>) are left out. Throws <see cref="InvalidOperationException"/> naming the
    /// server and its answer when the API cannot be read, and <see cref="ArgumentException"/> for unusable options.
    /// </summary>
    public static async Task<IReadOnlyList<NodeCapacity>> DiscoverAsync(KubernetesExecutorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var api = KubernetesConnection.Open(options.Settings);
        V1NodeList nodes;
        try
        {
            nodes = await api.Client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (KubernetesConnection.IsApiFailure(e))
        {
            throw new InvalidOperationException(api.Describe(e, "list its nodes"), e);
        }

        return [.. nodes.Items.Where(n => n.Spec?.Unschedulable != true).Select(Capacity)];
    }

    /// <summary>One node's allocatable resources; what it does not report counts as none.</summary>
    internal static NodeCapacity Capacity(V1Node node)
    {
        var allocatable = node.Status?.Allocatable;
        decimal Amount(string resource) => allocatable?.TryGetValue(resource, out var q) == true ? q.ToDecimal() : 0m;
        return new NodeCapacity(node.Metadata.Name, (long)(Amount("cpu") * 1000), (long)Amount("memory"), (int)Amount(KubernetesJobManifest.GpuResource))
        {
            Engine = Engines.Kubernetes,
        };
    }
}
