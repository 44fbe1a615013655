namespace Yardmaster.Core.Queueing;

/// <summary>One task's share of a <see cref="FairClassQueue"/>: its virtual time and its requests in serving order.</summary>
internal sealed class FairTask(FairClassQueue owner)
{
    /// <summary>The class queue the task belongs to.</summary>
    public FairClassQueue Owner { get; } = owner;

    /// <summary>Service received, in cost units divided by weight; the task with the least is served next.</summary>
    public double VirtualTime { get; set; }

    /// <summary>Live requests (stale heap entries excluded).</summary>
    public int Waiting { get; set; }

    /// <summary>The cost of its live requests, summed (<see cref="QueuedRequest.Cost"/>).</summary>
    public double WaitingCost { get; set; }

    /// <summary>The weight of its last request enqueued: the task's weight as the queue knows it.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>True while the task has an entry in its class's heap (possibly with no live request left).</summary>
    public bool Scheduled { get; set; }

    /// <summary>Earliest deadline first (or, shortest first: least predicted service first), ties by id.</summary>
    public RequestHeap<(long Key, long Id)> Requests { get; } = new();
}
