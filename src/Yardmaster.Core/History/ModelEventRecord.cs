namespace Yardmaster.Core.History;

/// <summary>A replica's load, failure or unload, as the history keeps it.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">"loaded", "failed" or "unloaded".</param>
/// <param name="Model">The model.</param>
/// <param name="Replica">The replica's number.</param>
/// <param name="Device">Its memory's ledger account ("cpu", "gpu0", ...).</param>
/// <param name="Reason">For an unload: "evicted", "idle", "requested", "removed" or "shutdown"; else null.</param>
/// <param name="Detail">Words: the failure, or whom an eviction made room for.</param>
/// <param name="Seconds">The load time, for "loaded".</param>
/// <param name="Bytes">Memory measured at a load, freed at an unload.</param>
public sealed record ModelEventRecord(DateTimeOffset At, string Kind, string Model, int Replica, string Device, string? Reason, string? Detail, double? Seconds, long Bytes);
