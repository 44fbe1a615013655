namespace Yardmaster.Core.Placement;

/// <summary>How one node's memory stands between steps and models, for <see cref="SchedulingPass.Reclaim"/>.</summary>
/// <param name="Unreserved">Memory steps do not reserve, bytes (models' share of it is <paramref name="Models"/>).</param>
/// <param name="Models">Memory model replicas hold, bytes.</param>
/// <param name="Reserve">Serving's headroom (<c>pool.serving_reserve</c>), bytes: only preemptible steps may borrow what models do not use of it.</param>
public readonly record struct ServingMemory(long Unreserved, long Models, long Reserve);
