namespace Yardmaster.Core.Queueing;

/// <summary>
/// What a queue policy knows of a waiting request. The runtime derives from it to carry its own state.
/// Identity is by reference; <see cref="IRequestQueue.Remove"/> takes the same instance that was enqueued.
/// </summary>
public class QueuedRequest
{
    /// <summary>A unique, increasing number (arrival order; ties in every policy break on it).</summary>
    public required long Id { get; init; }

    /// <summary>The task the request belongs to (fair sharing is between tasks).</summary>
    public required string Task { get; init; }

    /// <summary>Its class, after any per-request lowering.</summary>
    public required PriorityClass Priority { get; init; }

    /// <summary>The task's weight for fair sharing; positive.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>When it was enqueued.</summary>
    public required DateTimeOffset Arrival { get; init; }

    /// <summary>When its answer is due.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>Estimated cost in service units (e.g. tokens to generate); at least 1. Fair sharing charges it to the task.</summary>
    public double Cost { get; init; } = 1;

    /// <summary>
    /// Its predicted service time (admission's, from its own prompt and <c>max_tokens</c> once the model learned its token
    /// rates); zero when unknown. The <c>fair-sjf</c> queue serves shorter requests first within a task and sheds the longest.
    /// Set before it is enqueued.
    /// </summary>
    public TimeSpan Service { get; set; }

    /// <summary>True while the request is in a queue; queues set it, and use it for O(1) lazy removal.</summary>
    public bool Queued { get; internal set; }

    /// <summary>A queue's bookkeeping for the request while it is queued (the fair queue keeps its task here); null otherwise.</summary>
    internal object? QueueSlot { get; set; }
}
