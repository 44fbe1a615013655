namespace Yardmaster.Runtime.Serving;

/// <summary>Where a live request is: waiting in a queue, or holding a slot.</summary>
public enum RequestState
{
    /// <summary>Waiting in its model's queue.</summary>
    Queued,

    /// <summary>Holding a slot on a replica.</summary>
    Running,
}
