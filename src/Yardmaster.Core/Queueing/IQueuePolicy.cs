namespace Yardmaster.Core.Queueing;

/// <summary>A queue ordering, chosen by <see cref="Name"/> in <c>scheduler.queue</c>.</summary>
public interface IQueuePolicy
{
    /// <summary>The name used in configuration.</summary>
    string Name { get; }

    /// <summary>Makes an empty queue for one model.</summary>
    IRequestQueue CreateQueue(QueueOptions options);
}
