using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>A step waiting for a place, as the pass sees it.</summary>
/// <param name="Key">The caller's handle for the step; returned in decisions.</param>
/// <param name="Priority">Its pipeline's class.</param>
/// <param name="Request">What it reserves.</param>
/// <param name="PredictedSeconds">How long it is expected to run (from history).</param>
/// <param name="Group">Index into <see cref="PassLimits.GroupSlots"/> (its run), for the per-run limit.</param>
/// <param name="Engine">The engine it runs on, as the caller numbers engines (<see cref="NodeResources.Engine"/>); only nodes of it are considered.</param>
/// <param name="Preemptible">Whether it may be stopped for more urgent work: only then may it borrow <see cref="NodeResources.ServingReserve"/>.</param>
public readonly record struct ReadyStep(int Key, PriorityClass Priority, ResourceRequest Request, double PredictedSeconds, int Group, int Engine = 0, bool Preemptible = true);
