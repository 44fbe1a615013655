namespace Yardmaster.Core.Admission;

/// <summary>Placeholder token bucket (replaced by the queue branch's).</summary>
public sealed class TokenBucket(double perSecond, int burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _last = now;

    /// <summary>Rate.</summary>
    public double PerSecond { get; } = perSecond;

    /// <summary>Burst.</summary>
    public int Burst { get; } = burst;

    /// <summary>Takes a token or says when one will be there.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        _tokens = Math.Min(Burst, _tokens + ((now - _last).TotalSeconds * PerSecond));
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / PerSecond);
        return false;
    }
}
