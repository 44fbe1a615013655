using System.Numerics;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>
/// The node the step fills most tightly: the least free CPU, memory and GPU left after placing it, each as a
/// share of the node's capacity, GPUs weighted most (they are the scarcest). Packing small steps tightly
/// keeps whole nodes free for large ones.
/// </summary>
internal sealed class BestFitPlacement : IPlacementPolicy
{
    public string Name => PlacementPolicies.BestFit;

    public int Choose(in ResourceRequest request, ReadOnlySpan<NodeResources> nodes)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        for (var i = 0; i < nodes.Length; i++)
        {
            ref readonly var node = ref nodes[i];
            if (!node.Fits(request))
            {
                continue;
            }

            var score = Share(node.CpuFree - request.CpuMillis, node.CpuCapacity)
                + Share(node.MemoryFree - request.MemoryBytes, node.MemoryCapacity)
                + (4.0 * (BitOperations.PopCount(node.GpuFree) - request.Gpus));
            if (score < bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    private static double Share(long left, long capacity) => capacity <= 0 ? 0 : (double)left / capacity;
}
