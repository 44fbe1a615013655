namespace Yardmaster.Core.Models;

/// <summary>Chooses the replica of a model that takes the next request; chosen by <see cref="Name"/> in <c>scheduler.routing</c>.</summary>
public interface IRoutingPolicy
{
    /// <summary>The name used in configuration.</summary>
    string Name { get; }

    /// <summary>The index in <paramref name="replicas"/> of the chosen one, among those with a free slot; -1 when none has one.</summary>
    int Choose(IReadOnlyList<ReplicaSnapshot> replicas);
}
