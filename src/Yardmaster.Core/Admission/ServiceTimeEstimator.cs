namespace Yardmaster.Core.Admission;

/// <summary>
/// An online estimate of one model's service time: the mean of its requests (an exponentially weighted
/// moving average of observed times, <see cref="Default"/> until the first observation, which then
/// replaces it outright, since the default is a guess), and once finished requests with their token
/// counts taught it (<see cref="TokenRateFit"/>), one request's own from its prompt and <c>max_tokens</c>
/// (<see cref="Predict"/>). Pure; not thread-safe: the caller locks.
/// </summary>
public sealed class ServiceTimeEstimator
{
    private readonly TokenRateFit _fit = new();
    private double _meanTicks;
    private double? _prompt; // mean prompt tokens
    private double? _output; // mean output tokens
    private double? _stopped; // mean output tokens of the answers that ended before their max_tokens
    private double _stoppedShare; // share of the answers (with a max_tokens) that ended before it, moving as the means do

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

    /// <summary>The learned token model; null until <see cref="TokenRateFit.MinObservations"/> requests with varied token counts were observed with them.</summary>
    public TokenRates? Rates => _fit.Rates;

    /// <summary>
    /// The predicted service time of one request: with <see cref="Rates"/>, from its prompt tokens and its output, taken as
    /// its <c>max_tokens</c> weighed with the answers that ended on their own: the share of answers that ended before their
    /// <c>max_tokens</c> is taken as long as those were on average (when that is less), the rest as the full
    /// <c>max_tokens</c>. So where answers rarely run to a generous <c>max_tokens</c> the prediction follows their length,
    /// and where a few end early (cut by the context, say) it stays near <c>max_tokens</c>. An unknown count is taken as
    /// the mean of those observed. Without rates, <see cref="Mean"/>.
    /// </summary>
    /// <param name="promptTokens">Its prompt tokens, counted as the observations counted them; null when unknown.</param>
    /// <param name="maxTokens">The most tokens it may generate; null when it set none.</param>
    public TimeSpan Predict(int? promptTokens, int? maxTokens)
    {
        if (Rates is not { } rates)
        {
            return Mean;
        }

        var natural = _stopped ?? _output ?? 0;
        var output = maxTokens is { } most
            ? (_stopped is { } stopped ? (_stoppedShare * Math.Min(most, stopped)) + ((1 - _stoppedShare) * most) : most)
            : natural;
        return rates.Service(promptTokens ?? _prompt ?? 0, output);
    }

    /// <summary>Adds one finished request with its token counts: the mean, and the token model (<see cref="Rates"/>).</summary>
    /// <param name="serviceTime">Its service time; not negative.</param>
    /// <param name="promptTokens">Its prompt tokens, counted as <see cref="Predict"/> will be asked; not negative.</param>
    /// <param name="outputTokens">The tokens it generated; not negative.</param>
    /// <param name="maxTokens">Its <c>max_tokens</c>; null when it set none.</param>
    public void Observe(TimeSpan serviceTime, int promptTokens, int outputTokens, int? maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        Observe(serviceTime);
        _fit.Observe(serviceTime.TotalSeconds, promptTokens, outputTokens);
        _prompt = Move(_prompt, promptTokens);
        _output = Move(_output, outputTokens);
        if (maxTokens is not { } most || outputTokens < most)
        {
            _stopped = Move(_stopped, outputTokens);
        }

        if (maxTokens is { } limit)
        {
            _stoppedShare = Move(_stoppedShare, outputTokens < limit ? 1 : 0);
        }
    }

    /// <summary>Adds one observed service time (not negative).</summary>
    public void Observe(TimeSpan serviceTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(serviceTime, TimeSpan.Zero);
        _meanTicks = Observations == 0 ? serviceTime.Ticks : _meanTicks + (Smoothing * (serviceTime.Ticks - _meanTicks));
        Observations++;
    }

    private double Move(double? mean, double observed) => mean is { } m ? m + (Smoothing * (observed - m)) : observed;
}
