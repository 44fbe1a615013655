namespace Yardmaster.Core.Serving;

/// <summary>What admission decided for a request.</summary>
public enum AdmissionVerdict
{
    /// <summary>Queued on the chosen model.</summary>
    Admitted,

    /// <summary>Refused: the scheduler is stopping (503).</summary>
    ShuttingDown,

    /// <summary>Refused: its deadline had passed on arrival (504).</summary>
    DeadlinePassed,

    /// <summary>Refused: its task has <c>max_concurrency</c> requests in progress (429).</summary>
    ConcurrencyLimit,

    /// <summary>Refused: its task is over its rate (429).</summary>
    RateLimit,

    /// <summary>Refused: none of its task's models is available (503).</summary>
    NoModel,

    /// <summary>Refused: none of its task's models could ever load (503).</summary>
    CannotFit,

    /// <summary>Refused: the chosen model's queue is full of requests at least as urgent (429).</summary>
    QueueFull,

    /// <summary>Refused: the predicted wait and service exceed the time left before its deadline (503).</summary>
    DeadlineUnmeetable,
}
