namespace Yardmaster.Runtime.Serving;

/// <summary>
/// A slot on a replica, held by one request until <see cref="ServingScheduler.Release"/>. Releasing twice is
/// harmless (the second call does nothing).
/// </summary>
public sealed class Lease
{
    internal Lease(Replica replica, PendingRequest request, TimeSpan queueTime)
    {
        Replica = replica;
        Request = request;
        QueueTime = queueTime;
    }

    /// <summary>The model that serves the request.</summary>
    public string Model => Replica.Model.Definition.Name;

    /// <summary>The replica's number within its model.</summary>
    public int ReplicaNumber => Replica.Number;

    /// <summary>The running replica to send the request to.</summary>
    public IReplicaInstance Instance => Replica.Instance!;

    /// <summary>Why model selection chose this model, in words (e.g. "only ready model"); null when not recorded.</summary>
    public string? Selection => Request.Trace.Reason;

    /// <summary>Time spent queued, from admission to this lease.</summary>
    public TimeSpan QueueTime { get; }

    internal Replica Replica { get; }

    internal PendingRequest Request { get; }

    internal bool Released { get; set; }
}
