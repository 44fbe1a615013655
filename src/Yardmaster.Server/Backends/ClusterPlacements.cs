using Yardmaster.Core.Pipelines;

namespace Yardmaster.Server.Backends;

/// <summary>
/// Where the cluster replicas of each model run, so that a new one goes to the node holding the fewest of that model
/// (then the fewest replicas in all, then by name): replicas spread over nodes, as <c>replicas.min: 2</c> asks on two.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ClusterPlacements
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Model, string Node), int> _counts = [];

    /// <summary>The node for a new replica of <paramref name="model"/> among those that can hold <paramref name="request"/>; null when none can.</summary>
    public NodeCapacity? Choose(string model, IReadOnlyList<NodeCapacity> nodes, ResourceRequest request)
    {
        lock (_lock)
        {
            return nodes.Where(n => n.Holds(request))
                .OrderBy(n => _counts.GetValueOrDefault((model, n.Name)))
                .ThenBy(n => _counts.Where(c => c.Key.Node == n.Name).Sum(c => c.Value))
                .ThenBy(n => n.Name, StringComparer.Ordinal)
                .FirstOrDefault();
        }
    }

    /// <summary>Counts a replica of <paramref name="model"/> on <paramref name="node"/>; the action given back uncounts it (once).</summary>
    public Action Take(string model, string node)
    {
        lock (_lock)
        {
            _counts[(model, node)] = _counts.GetValueOrDefault((model, node)) + 1;
        }

        var released = 0;
        return () =>
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                lock (_lock)
                {
                    _counts[(model, node)]--;
                }
            }
        };
    }
}
