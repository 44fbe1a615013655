namespace Yardmaster.Runtime.Serving;

/// <summary>A replica evicted to make room for a load: its model, number, device and the bytes it freed.</summary>
public sealed record TraceEviction(string Model, int Replica, string Device, long Bytes);
