namespace Yardmaster.Inference.Engine;

/// <summary>Slot and queue use at one moment.</summary>
/// <param name="Slots">Slots in all.</param>
/// <param name="BusySlots">Slots holding a sequence.</param>
/// <param name="Queued">Requests waiting for a slot.</param>
/// <param name="MaxQueue">Queue bound.</param>
/// <param name="Completed">Sequences finished since start.</param>
/// <param name="Preemptions">Times a sequence gave its slot to a more urgent request, since start.</param>
/// <param name="Preempted">Sequences waiting now to resume after giving up their slot (counted in <paramref name="Queued"/>).</param>
/// <param name="Recomputed">Of <paramref name="Preemptions"/>, those whose cache could not be kept (recomputed when the sequence resumes).</param>
public sealed record EngineStatus(int Slots, int BusySlots, int Queued, int MaxQueue, long Completed, long Preemptions = 0, int Preempted = 0, long Recomputed = 0);
