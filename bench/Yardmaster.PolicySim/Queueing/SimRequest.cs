using Yardmaster.Core.Queueing;

namespace Yardmaster.PolicySim.Queueing;

/// <summary>A queued request with what the simulator needs to serve it and account for it.</summary>
internal sealed class SimRequest : QueuedRequest
{
    /// <summary>Index into the task list.</summary>
    public required int TaskIndex { get; init; }

    /// <summary>Time it holds a slot once dispatched.</summary>
    public required TimeSpan Service { get; init; }

    /// <summary>When it got a slot; null while waiting or when it expired.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>True when its deadline passed while it waited (the server answers 504 and removes it).</summary>
    public bool Expired { get; set; }
}
