namespace Yardmaster.Core.Placement;

/// <summary>What one pass decided: steps to start where, and running steps to preempt.</summary>
public sealed class PassPlan
{
    /// <summary>Steps to start: the ready step's key, the node index and the mask of GPU indexes given to it.</summary>
    public List<(int Key, int Node, ulong Gpus)> Starts { get; } = [];

    /// <summary>Running steps to stop (their keys) so that a waiting step of a higher class fits.</summary>
    public List<int> Preemptions { get; } = [];

    /// <summary>The first step that could not be placed and holds a reservation (its key), or null.</summary>
    public int? Reserved { get; set; }

    /// <summary>When the reserved step is expected to fit, seconds on the pass's clock.</summary>
    public double ReservedAt { get; set; }
}
