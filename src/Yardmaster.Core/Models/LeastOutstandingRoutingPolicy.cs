namespace Yardmaster.Core.Models;

/// <summary>The replica with the fewest requests in flight relative to its slots; ties go to the lowest index.</summary>
public sealed class LeastOutstandingRoutingPolicy : IRoutingPolicy
{
    /// <inheritdoc />
    public string Name => "least-outstanding";

    /// <inheritdoc />
    public int Choose(IReadOnlyList<ReplicaSnapshot> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var best = -1;
        var bestLoad = double.MaxValue;
        for (var i = 0; i < replicas.Count; i++)
        {
            var r = replicas[i];
            if (r.FreeSlots == 0)
            {
                continue;
            }

            var load = r.InFlight / (double)r.Slots;
            if (load < bestLoad)
            {
                best = i;
                bestLoad = load;
            }
        }

        return best;
    }
}
