namespace Yardmaster.Runtime.Serving;

/// <summary>A request's position in its model's queue (1 = next) from <paramref name="At"/> on.</summary>
public sealed record QueueSample(DateTimeOffset At, int Position);
