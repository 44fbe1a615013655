namespace Yardmaster.Runtime.Serving;

/// <summary>When a request got a slot, on which replica (number and device), after how long queued.</summary>
public sealed record TraceDispatch(DateTimeOffset At, int Replica, string Device, TimeSpan QueueTime);
