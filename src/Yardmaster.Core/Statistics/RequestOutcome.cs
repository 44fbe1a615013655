namespace Yardmaster.Core.Statistics;

/// <summary>How a request ended, as counted in the statistics.</summary>
public enum RequestOutcome
{
    /// <summary>Answered in full.</summary>
    Completed,

    /// <summary>Refused at admission (rate, concurrency, queue bound, deadline infeasible): 429 or 503.</summary>
    Refused,

    /// <summary>Its deadline passed before it was answered: 504.</summary>
    TimedOut,

    /// <summary>The client went away.</summary>
    Cancelled,

    /// <summary>The backend failed (after retries), or ended the stream with an error.</summary>
    Failed,

    /// <summary>Rejected as invalid (400, 413, 404).</summary>
    Invalid,
}
