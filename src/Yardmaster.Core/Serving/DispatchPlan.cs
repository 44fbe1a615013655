namespace Yardmaster.Core.Serving;

/// <summary>The dispatch step's answer for one model: which replica takes each queued request in turn, and whether to load one more.</summary>
/// <param name="Replicas">Indexes into the replicas given, one per request to dequeue in the queue policy's order (a replica may appear as often as it has free slots).</param>
/// <param name="ScaleOut">True when requests still wait and one more replica should load (<see cref="ServingPass.Load"/> says where).</param>
public sealed record DispatchPlan(IReadOnlyList<int> Replicas, bool ScaleOut);
