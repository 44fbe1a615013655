namespace Yardmaster.Core.Queueing;

/// <summary>The queue policies by name.</summary>
public static class QueuePolicies
{
    /// <summary>Names accepted in <c>scheduler.queue</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fair", "fair-sjf", "fcfs"];

    /// <summary>The policy called <paramref name="name"/>, or null when there is none.</summary>
    public static IQueuePolicy? Create(string name) => name switch
    {
        "fair" => new FairQueuePolicy(),
        "fair-sjf" => new ShortestFirstQueuePolicy(),
        "fcfs" => new FcfsQueuePolicy(),
        _ => null,
    };
}
