namespace Yardmaster.PolicySim.Queueing;

/// <summary>What one task saw in one run. Queue times are in seconds, over served requests only.</summary>
/// <param name="Task">The task.</param>
/// <param name="Arrived">Requests of the task in the trace.</param>
/// <param name="Served">Requests that got a slot (completed).</param>
/// <param name="Expired">Requests whose deadline passed while queued (removed, as the server does with a 504).</param>
/// <param name="Attained">Requests that finished by their deadline.</param>
/// <param name="Ceiling">Requests whose service time alone fits the SLO: the attainment an empty queue would give.</param>
/// <param name="QueueP50">Median queue time.</param>
/// <param name="QueueP95">95th percentile queue time.</param>
/// <param name="QueueP99">99th percentile queue time.</param>
/// <param name="MaxWait">Longest queue time of a served request.</param>
/// <param name="OverMaxWait">Served requests that waited longer than the aging bound.</param>
internal sealed record TaskOutcome(
    SimTask Task,
    int Arrived,
    int Served,
    int Expired,
    int Attained,
    int Ceiling,
    double QueueP50,
    double QueueP95,
    double QueueP99,
    double MaxWait,
    int OverMaxWait);
