namespace Yardmaster.Server.ModelServer;

/// <summary>How serving one completion ended.</summary>
internal enum CompletionOutcome
{
    /// <summary>Answered in full.</summary>
    Completed,

    /// <summary>Rejected as invalid (400).</summary>
    Invalid,

    /// <summary>Refused by the engine (queue full, shutting down).</summary>
    Refused,

    /// <summary>The caller's token was cancelled: client gone or deadline passed.</summary>
    Cancelled,

    /// <summary>The generation failed.</summary>
    Failed,
}
