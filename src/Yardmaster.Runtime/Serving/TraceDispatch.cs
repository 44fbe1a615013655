namespace Yardmaster.Runtime.Serving;

/// <summary>When a request got a slot, on which replica (number and device), after how long queued.</summary>
public sealed record TraceDispatch(DateTimeOffset At, int Replica, string Device, TimeSpan QueueTime)
{
    /// <summary>True when every slot of the replica was busy and its engine was to give the request a less urgent request's slot.</summary>
    public bool Preempting { get; init; }
}
