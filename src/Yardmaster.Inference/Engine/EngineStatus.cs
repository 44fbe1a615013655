namespace Yardmaster.Inference.Engine;

/// <summary>Slot and queue use at one moment.</summary>
/// <param name="Slots">Slots in all.</param>
/// <param name="BusySlots">Slots holding a sequence.</param>
/// <param name="Queued">Requests waiting for a slot.</param>
/// <param name="MaxQueue">Queue bound.</param>
/// <param name="Completed">Sequences finished since start.</param>
public sealed record EngineStatus(int Slots, int BusySlots, int Queued, int MaxQueue, long Completed);
