namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>
/// Chooses the node and the GPUs for one task of a GPU-sharing cluster. Deterministic for a given seed; an instance may
/// keep caches keyed by the cluster's node versions, so it is not thread-safe: one instance per simulated cluster.
/// </summary>
public interface IGpuPlacementPolicy
{
    /// <summary>The name <c>--policy placement=NAME</c> selects it by.</summary>
    string Name { get; }

    /// <summary>Where <paramref name="task"/> goes in <paramref name="cluster"/> (which it does not change); <see cref="GpuPlacement.None"/> when it fits nowhere.</summary>
    GpuPlacement Choose(in GpuTask task, GpuCluster cluster);
}
