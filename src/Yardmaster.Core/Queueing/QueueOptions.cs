namespace Yardmaster.Core.Queueing;

/// <summary>Options every queue honours.</summary>
/// <param name="MaxWait">Aging bound of every class without its own in <see cref="MaxWaitByClass"/>: a request that has waited this long goes before any request that arrived after it.</param>
public sealed record QueueOptions(TimeSpan MaxWait)
{
    /// <summary>Aging bounds of particular classes (e.g. longer for batch, whose deadlines are far); empty by default.</summary>
    public IReadOnlyDictionary<PriorityClass, TimeSpan> MaxWaitByClass { get; init; } = new Dictionary<PriorityClass, TimeSpan>();

    /// <summary>The aging bound of <paramref name="priority"/>.</summary>
    public TimeSpan MaxWaitFor(PriorityClass priority) => MaxWaitByClass.TryGetValue(priority, out var wait) ? wait : MaxWait;
}
