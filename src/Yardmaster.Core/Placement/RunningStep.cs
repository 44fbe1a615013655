using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>A step holding resources on a node, as the pass sees it.</summary>
/// <param name="Key">The caller's handle; returned in preemption decisions.</param>
/// <param name="Node">Index of its node.</param>
/// <param name="Priority">Its pipeline's class.</param>
/// <param name="Request">What it holds.</param>
/// <param name="Started">When it started, seconds on the pass's clock.</param>
/// <param name="PredictedEnd">When it is expected to end, seconds on the pass's clock.</param>
/// <param name="Preemptible">Whether a step of a higher class may stop it.</param>
/// <param name="Gpus">The mask of the GPU indexes it holds.</param>
/// <param name="Stopping">Already being stopped (preempted, cancelled or timed out): its resources come back soon.</param>
public readonly record struct RunningStep(int Key, int Node, PriorityClass Priority, ResourceRequest Request, double Started, double PredictedEnd, bool Preemptible, ulong Gpus, bool Stopping);
