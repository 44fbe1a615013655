namespace Yardmaster.Server.Backends;

/// <summary>How sending one request to a replica ended.</summary>
internal enum ForwardOutcome
{
    /// <summary>Answered in full.</summary>
    Completed,

    /// <summary>The backend rejected the request as invalid (4xx other than 429); passed through to the client.</summary>
    Invalid,

    /// <summary>The backend refused for load (429, 503); passed through to the client.</summary>
    Refused,

    /// <summary>The client went away.</summary>
    Cancelled,

    /// <summary>The deadline passed while the request was served.</summary>
    TimedOut,

    /// <summary>The backend failed (5xx, or the stream broke).</summary>
    Failed,

    /// <summary>The backend could not be reached or failed before any byte reached the client: safe to retry elsewhere.</summary>
    Unreachable,
}
