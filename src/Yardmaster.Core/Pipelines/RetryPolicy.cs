namespace Yardmaster.Core.Pipelines;

/// <summary><c>retries:</c> of a step: how many times a failed attempt is tried again, and after how long (<see cref="RetryBackoff"/>).</summary>
/// <param name="Max">Retries after the first attempt; 0 for none.</param>
/// <param name="Backoff">How the delay grows.</param>
/// <param name="Initial">The delay before the first retry.</param>
/// <param name="MaxDelay">No delay is longer.</param>
public sealed record RetryPolicy(int Max, BackoffKind Backoff, TimeSpan Initial, TimeSpan MaxDelay)
{
    /// <summary>No retry.</summary>
    public static RetryPolicy None { get; } = new(0, BackoffKind.Exponential, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
}
