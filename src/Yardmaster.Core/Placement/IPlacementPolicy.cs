using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>Chooses the node for one step among those where it fits. Pure and thread-safe; called for every placement, so allocation-free.</summary>
public interface IPlacementPolicy
{
    /// <summary>The name <c>scheduler.placement</c> selects it by.</summary>
    string Name { get; }

    /// <summary>The index of the chosen node in <paramref name="nodes"/>, or -1 when it fits on none.</summary>
    int Choose(in ResourceRequest request, ReadOnlySpan<NodeResources> nodes);
}
