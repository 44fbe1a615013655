namespace Yardmaster.Core.Queueing;

/// <summary>
/// <c>fair-sjf</c>: the <c>fair</c> ordering (class first, fair share between tasks, aging) with the shortest job first
/// within a task: least predicted service (<see cref="QueuedRequest.Service"/>) first, ties by id; and a full queue sheds
/// the longest request of its least urgent class rather than the newest. Under overload more requests fit in the same
/// capacity (as LLM schedulers that rank by predicted output length); the aging bounds still serve a long request that
/// has waited its class's bound before anything that arrived after it.
/// </summary>
internal sealed class ShortestFirstQueuePolicy : IQueuePolicy
{
    /// <inheritdoc />
    public string Name => "fair-sjf";

    /// <inheritdoc />
    public IRequestQueue CreateQueue(QueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FairQueue(options, shortestFirst: true);
    }
}
