namespace Yardmaster.Core.Queueing;

/// <summary>Options every queue honours.</summary>
/// <param name="MaxWait">Aging bound: a request that has waited this long goes before any request that arrived after it.</param>
public sealed record QueueOptions(TimeSpan MaxWait);
