namespace Yardmaster.Server.Backends;

/// <summary>What sending one request to a replica did.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Started">True once any byte of the answer reached the client (no retry after that).</param>
/// <param name="PromptTokens">Tokens in (from the backend's usage; 0 when it gave none).</param>
/// <param name="CompletionTokens">Tokens out (from usage, else counted stream chunks).</param>
/// <param name="FirstTokenTimestamp">When the first token was sent to the client (<see cref="TimeProvider.GetTimestamp"/>); null when none was.</param>
/// <param name="Error">What failed, for logs and the error event.</param>
internal sealed record ForwardReport(ForwardOutcome Outcome, bool Started, int PromptTokens, int CompletionTokens, long? FirstTokenTimestamp, string? Error = null)
{
    /// <summary>For <see cref="ForwardOutcome.Unreachable"/>: the backend answered (a 5xx) so it is alive; retry elsewhere without marking it failed.</summary>
    public bool RetryOnly { get; init; }
}
