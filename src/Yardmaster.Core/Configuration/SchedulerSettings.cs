namespace Yardmaster.Core.Configuration;

/// <summary><c>scheduler:</c> the policies by name and the bounds of the request scheduler.</summary>
public sealed record SchedulerSettings
{
    /// <summary>Queue ordering: <c>fair</c> (default: priority class, fair share between tasks, deadline; with aging) or <c>fcfs</c>.</summary>
    public string Queue { get; init; } = "fair";

    /// <summary>Eviction: <c>session-lfu</c> (default: decayed session count × load cost per byte), <c>gdsf</c> (GreedyDual-Size-Frequency) or <c>lru</c>.</summary>
    public string Eviction { get; init; } = "session-lfu";

    /// <summary>Routing between replicas: <c>least-outstanding</c> (default) or <c>p2c</c>.</summary>
    public string Routing { get; init; } = "least-outstanding";

    /// <summary>Most requests queued per model (429 beyond). Default 4096: under 1.5× overload of the Azure trace the fair queue holds up to about 3,000 requests that can still meet their deadlines (docs/results.md, goal 1).</summary>
    public int MaxQueue { get; init; } = 4096;

    /// <summary>
    /// Aging bound of the classes without their own in <see cref="MaxWaitByClass"/>: a request queued this
    /// long is served before any newer one, whatever its class. Default 30 s.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Aging bounds of particular classes. Default low 2 minutes and batch 10 minutes: a single short bound
    /// for every class lets batch requests that have minutes of slack jump ahead of interactive ones (see
    /// bench/results/policy-sim-2026-11-22.md), and so did 5 minutes for batch under sustained overload
    /// (<c>yard simulate</c> of the Azure trace at 1.5x: the high class 98.1% within its SLO with 5 min,
    /// 99.8% with 10 min, the same at every lower load; docs/results.md); YAML <c>max_wait: 30s</c> sets one
    /// bound for all classes.
    /// </summary>
    public IReadOnlyDictionary<PriorityClass, TimeSpan> MaxWaitByClass { get; init; } = new Dictionary<PriorityClass, TimeSpan>
    {
        [PriorityClass.Low] = TimeSpan.FromMinutes(2),
        [PriorityClass.Batch] = TimeSpan.FromMinutes(10),
    };

    /// <summary>The queue options these settings give.</summary>
    public Queueing.QueueOptions QueueOptions => new(MaxWait) { MaxWaitByClass = MaxWaitByClass };

    /// <summary>Deadline of a request whose task has no latency SLO. Default 5 minutes.</summary>
    public TimeSpan DefaultDeadline { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a request may wait for memory to be freed for its model before a 503. Default 30 s.</summary>
    public TimeSpan LoadWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>adapt:</c> re-tuning from the request log while serving; null (the default) for off.</summary>
    public AdaptSettings? Adapt { get; init; }
}
