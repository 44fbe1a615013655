namespace Yardmaster.Core.Statistics;

/// <summary>
/// The reasons a request is refused or cut short, as the error <c>code</c> its client sees; a bounded set, so they
/// may be metric labels and keys of the statistics' breakdown.
/// </summary>
public static class RefusalReasons
{
    /// <summary>Over the task's <c>rate</c> (429).</summary>
    public const string RateLimit = "rate_limit";

    /// <summary>Over the task's <c>max_concurrency</c> (429).</summary>
    public const string ConcurrencyLimit = "concurrency_limit";

    /// <summary>The model's queue is full, or a more urgent request took the place (429).</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The predicted wait and service do not fit in the deadline (503).</summary>
    public const string DeadlineUnmeetable = "deadline_unmeetable";

    /// <summary>No model of the task can be loaded or reached now (503).</summary>
    public const string NoCapacity = "no_capacity";

    /// <summary>The model failed to load (503).</summary>
    public const string ModelLoadFailed = "model_load_failed";

    /// <summary><c>X-Yard-Priority</c> asked for a class above the task's (403).</summary>
    public const string PriorityNotAllowed = "priority_not_allowed";

    /// <summary>The deadline passed while it waited or was answered (504).</summary>
    public const string DeadlineExceeded = "deadline_exceeded";

    /// <summary>The server is stopping (503).</summary>
    public const string ShuttingDown = "shutting_down";

    /// <summary>Every backend attempt failed (502).</summary>
    public const string BackendUnavailable = "backend_unavailable";

    /// <summary>The backend failed while answering.</summary>
    public const string BackendFailed = "backend_failed";

    /// <summary>Every reason above, in this order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [RateLimit, ConcurrencyLimit, QueueFull, DeadlineUnmeetable, NoCapacity, ModelLoadFailed, PriorityNotAllowed, DeadlineExceeded, ShuttingDown, BackendUnavailable, BackendFailed];

    /// <summary>The reason as counted: one of <see cref="All"/>, or "other" for a code outside the set (so labels stay bounded).</summary>
    public static string Bounded(string? code) => code is not null && All.Contains(code) ? code : "other";
}
