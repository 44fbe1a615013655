namespace Yardmaster.Core.Pipelines;

/// <summary>The delay before a retry: pure, no jitter (so runs replay the same), never above the policy's maximum.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 for the first retry): constant
    /// <c>initial</c>, linear <c>retry × initial</c>, exponential <c>2^(retry-1) × initial</c>; capped at
    /// <see cref="RetryPolicy.MaxDelay"/> and never negative.
    /// </summary>
    public static TimeSpan Delay(RetryPolicy policy, int retry)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var initial = Math.Max(0, policy.Initial.Ticks);
        var cap = Math.Max(0, policy.MaxDelay.Ticks);
        double ticks = policy.Backoff switch
        {
            BackoffKind.Constant => initial,
            BackoffKind.Linear => (double)initial * retry,
            _ => initial * Math.Pow(2, Math.Min(retry - 1, 62)),
        };
        return TimeSpan.FromTicks((long)Math.Min(ticks, cap));
    }
}
