namespace Yardmaster.Server.Dashboard;

/// <summary>
/// Slows down guessing of the admin token at <c>POST /login</c>, for the whole process: after
/// <see cref="FreeFailures"/> failed logins in a row, each further attempt must wait a delay that doubles with
/// every failure (1 s, 2 s, 4 s … at most <see cref="MaxDelay"/>); a successful login resets the count. The
/// token has 256 bits, so this only keeps a script from filling the log; it never locks the operator out for long.
/// </summary>
/// <remarks>Thread-safe (one short lock).</remarks>
internal sealed class LoginBackoff(TimeProvider time)
{
    /// <summary>Failures allowed before any wait.</summary>
    public const int FreeFailures = 5;

    /// <summary>The longest wait.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    /// <summary>Zero when an attempt may be made now; else how long to wait.</summary>
    public TimeSpan Wait()
    {
        lock (_lock)
        {
            var left = _notBefore - time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Counts a failed login.</summary>
    public void Failed()
    {
        lock (_lock)
        {
            _failures++;
            if (_failures > FreeFailures)
            {
                var seconds = Math.Min(MaxDelay.TotalSeconds, Math.Pow(2, Math.Min(_failures - FreeFailures - 1, 16)));
                _notBefore = time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            }
        }
    }

    /// <summary>A successful login: the count starts again.</summary>
    public void Succeeded()
    {
        lock (_lock)
        {
            _failures = 0;
            _notBefore = DateTimeOffset.MinValue;
        }
    }
}
