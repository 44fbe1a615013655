using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Admission;

/// <summary>
/// A token bucket: holds up to <see cref="Burst"/> tokens, refills at <see cref="PerSecond"/> tokens a
/// second, and each admitted request takes one. Starts full. Pure (time is passed in) and not
/// thread-safe: the caller locks.
/// </summary>
/// <remarks>
/// The level is kept in decimal token-ticks (tokens × <see cref="TimeSpan.TicksPerSecond"/>), so for a
/// rate with a few decimal digits the refill is exact and <c>retryAfter</c> is the least whole number
/// of ticks after which a take succeeds. A clock that goes back refills nothing.
/// </remarks>
public sealed class TokenBucket
{
    private readonly decimal _rate;
    private readonly decimal _capacity;
    private decimal _level;
    private DateTimeOffset? _last;

    /// <summary>Makes a full bucket.</summary>
    /// <param name="perSecond">Refill rate in tokens a second; positive and finite.</param>
    /// <param name="burst">Capacity in tokens; at least 1.</param>
    public TokenBucket(double perSecond, int burst)
    {
        if (!(perSecond > 0) || !double.IsFinite(perSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(perSecond), perSecond, "The rate must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        PerSecond = perSecond;
        Burst = burst;
        _rate = (decimal)perSecond;
        _capacity = (decimal)burst * TimeSpan.TicksPerSecond;
        _level = _capacity;
    }

    /// <summary>Makes a full bucket for a configured <see cref="RateLimit"/>.</summary>
    public TokenBucket(RateLimit rate)
        : this(rate?.PerSecond ?? throw new ArgumentNullException(nameof(rate)), rate.Burst)
    {
    }

    /// <summary>Refill rate, tokens a second.</summary>
    public double PerSecond { get; }

    /// <summary>Capacity, tokens.</summary>
    public int Burst { get; }

    /// <summary>Tokens in the bucket at <paramref name="now"/> (fractional while refilling); takes none.</summary>
    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return (double)(_level / TimeSpan.TicksPerSecond);
    }

    /// <summary>
    /// Takes one token at <paramref name="now"/>. True when there was one (<paramref name="retryAfter"/>
    /// is zero); false when the bucket holds less than one token, with <paramref name="retryAfter"/> the
    /// least time after which a take would succeed if nothing else takes meanwhile.
    /// </summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        Refill(now);
        if (_level >= TimeSpan.TicksPerSecond)
        {
            _level -= TimeSpan.TicksPerSecond;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromTicks((long)decimal.Ceiling((TimeSpan.TicksPerSecond - _level) / _rate));
        return false;
    }

    private void Refill(DateTimeOffset now)
    {
        if (_last is { } last && now > last)
        {
            // Cap the elapsed time at what fills the bucket, so a long idle cannot overflow the decimal.
            var full = (_capacity - _level) / _rate;
            var elapsed = Math.Min((decimal)(now - last).Ticks, decimal.Ceiling(full));
            _level = Math.Min(_capacity, _level + (elapsed * _rate));
        }

        if (_last is null || now > _last)
        {
            _last = now;
        }
    }
}
