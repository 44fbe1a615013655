namespace Yardmaster.Core.Queueing;

/// <summary>
/// One model's queue of waiting requests, ordered by a policy. Pure (no I/O, time passed in); not
/// thread-safe: the request scheduler calls it under its lock.
/// </summary>
public interface IRequestQueue
{
    /// <summary>Requests waiting.</summary>
    int Count { get; }

    /// <summary>The most urgent class with a request waiting; null when none waits.</summary>
    PriorityClass? MostUrgent { get; }

    /// <summary>Adds a request. Bounds are the caller's business (the queue never refuses).</summary>
    void Enqueue(QueuedRequest request);

    /// <summary>Removes and returns the request to serve next at <paramref name="now"/>, or null when empty.</summary>
    QueuedRequest? Dequeue(DateTimeOffset now);

    /// <summary>
    /// The request <see cref="Dequeue"/> would return at <paramref name="now"/>, left in the queue; null when empty. It may
    /// tidy the queue's internals (stale entries) but changes neither its order nor what it charges.
    /// </summary>
    QueuedRequest? Peek(DateTimeOffset now);

    /// <summary>Removes a request (cancelled, timed out); false when it is not in the queue.</summary>
    bool Remove(QueuedRequest request);

    /// <summary>
    /// Requests waiting that would be served before a new request of class <paramref name="priority"/> from
    /// <paramref name="task"/> (of <paramref name="weight"/>), aging aside: for a policy with classes, those of a more urgent
    /// class and, of its own class, those its fair share lets go first.
    /// </summary>
    int CountAhead(PriorityClass priority, string task, double weight = 1);

    /// <summary>
    /// Which waiting request to refuse, when the queue is full, to make room for a newcomer of class
    /// <paramref name="incoming"/>: the newest request of the least urgent class that is less urgent than the
    /// newcomer; null when there is none (the newcomer is refused instead). The request stays queued; the caller
    /// removes it. A policy that ignores classes never sheds.
    /// </summary>
    QueuedRequest? Shed(PriorityClass incoming);

    /// <summary>
    /// The waiting requests that cannot all be served by their deadlines and should be refused now rather than time out:
    /// per class, in deadline order, with the slots the class had left over the last two minutes (<paramref name="slots"/>
    /// less what more urgent classes were dequeued for), the longest of those ahead of a deadline that cannot be met
    /// (<see cref="DeadlineShedding"/>). Empty when every deadline can be met, when checked less than a second ago, or for a
    /// policy that ignores deadlines. The requests stay queued; the caller removes and refuses them.
    /// </summary>
    /// <param name="now">The clock.</param>
    /// <param name="slots">The model's ready slots; none (0) gives up nothing.</param>
    IReadOnlyList<QueuedRequest> Doomed(DateTimeOffset now, int slots);
}
