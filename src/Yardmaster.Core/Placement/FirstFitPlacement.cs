using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>The first node where the step fits, in node order: the baseline.</summary>
internal sealed class FirstFitPlacement : IPlacementPolicy
{
    public string Name => PlacementPolicies.FirstFit;

    public int Choose(in ResourceRequest request, ReadOnlySpan<NodeResources> nodes)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i].Fits(request))
            {
                return i;
            }
        }

        return -1;
    }
}
