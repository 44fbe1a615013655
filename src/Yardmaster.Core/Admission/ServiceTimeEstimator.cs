namespace Yardmaster.Core.Admission;

/// <summary>
/// An online estimate of the mean service time of one model's requests: an exponentially weighted
/// moving average of observed times, <see cref="Default"/> until the first observation (which then
/// replaces it outright, since the default is a guess). Pure; not thread-safe: the caller locks.
/// </summary>
public sealed class ServiceTimeEstimator
{
    private double _meanTicks;

    /// <summary>Makes an estimator with no observation yet.</summary>
    /// <param name="defaultTime">The estimate before any observation; not negative.</param>
    /// <param name="smoothing">The weight of each new observation, in (0, 1]. Default 0.2 (about the last ten observations count).</param>
    public ServiceTimeEstimator(TimeSpan defaultTime, double smoothing = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultTime, TimeSpan.Zero);
        if (!(smoothing > 0 && smoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "The smoothing must be in (0, 1].");
        }

        Default = defaultTime;
        Smoothing = smoothing;
        _meanTicks = defaultTime.Ticks;
    }

    /// <summary>The estimate before any observation.</summary>
    public TimeSpan Default { get; }

    /// <summary>The weight of each new observation.</summary>
    public double Smoothing { get; }

    /// <summary>Observations so far.</summary>
    public long Observations { get; private set; }

    /// <summary>The current estimate of the mean service time.</summary>
    public TimeSpan Mean => TimeSpan.FromTicks((long)Math.Round(_meanTicks));

    /// <summary>Adds one observed service time (not negative).</summary>
    public void Observe(TimeSpan serviceTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(serviceTime, TimeSpan.Zero);
        _meanTicks = Observations == 0 ? serviceTime.Ticks : _meanTicks + (Smoothing * (serviceTime.Ticks - _meanTicks));
        Observations++;
    }
}
