namespace Yardmaster.Core.Queueing;

/// <summary>
/// The default ordering, <c>fair</c>: priority class first (critical before high … before batch);
/// within a class, weighted fair sharing between tasks (start-time fair queuing on
/// <see cref="QueuedRequest.Cost"/> ÷ <see cref="QueuedRequest.Weight"/>, with no credit stored while
/// a task idles); within a task, earliest deadline first, ties by id. Aging: a request that has
/// waited <see cref="QueueOptions.MaxWait"/> is served before any request that arrived after it,
/// whatever its class (a zero bound makes the queue first come, first served).
/// </summary>
internal sealed class FairQueuePolicy : IQueuePolicy
{
    /// <inheritdoc />
    public string Name => "fair";

    /// <inheritdoc />
    public IRequestQueue CreateQueue(QueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FairQueue(options);
    }
}
