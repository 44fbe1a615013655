namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>Where a task goes: a node and the GPUs it takes there (a mask of GPU indexes; one bit for a shared GPU).</summary>
/// <param name="Node">The node's index in the cluster; -1 when the task fits nowhere.</param>
/// <param name="Gpus">Bit i set when the task takes (a share of) GPU i.</param>
public readonly record struct GpuPlacement(int Node, ulong Gpus)
{
    /// <summary>The task fits on no node.</summary>
    public static GpuPlacement None { get; } = new(-1, 0);

    /// <summary>True when a node was chosen.</summary>
    public bool IsPlaced => Node >= 0;
}
