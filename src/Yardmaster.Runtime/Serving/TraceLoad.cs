namespace Yardmaster.Runtime.Serving;

/// <summary>A load a request waited for.</summary>
/// <param name="Model">The model loaded.</param>
/// <param name="Replica">The replica's number.</param>
/// <param name="Device">Where.</param>
/// <param name="Started">When the load began.</param>
/// <param name="Evicted">The replicas evicted to make room for it.</param>
/// <param name="Cold">True when no replica of the model was ready, so the request could only wait for this load; false for a scale-out.</param>
public sealed record TraceLoad(string Model, int Replica, string Device, DateTimeOffset Started, IReadOnlyList<TraceEviction> Evicted, bool Cold);
