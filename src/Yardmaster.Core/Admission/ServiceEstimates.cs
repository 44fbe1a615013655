namespace Yardmaster.Core.Admission;

/// <summary>
/// One model's service-time estimates, kept apart for foreground requests (<c>critical</c>, <c>high</c>, <c>normal</c>) and
/// background ones (<c>low</c>, <c>batch</c>), beside the estimate over all (<see cref="All"/>). A shared engine serves the
/// two unalike: background passes may run on fewer threads (<c>pool.background_threads_follow_steps</c>) and background
/// sequences pause for urgent ones (priority preemption), so a batch line's time says little about a chat request's. A
/// request is predicted from its own band's estimator once the band has an observation, and judged against its deadline
/// only then (<see cref="HasSample"/>): a band never locks itself out on the other band's evidence. Pure; not thread-safe:
/// the caller locks.
/// </summary>
public sealed class ServiceEstimates
{
    /// <summary>The least urgent class served in the foreground; the classes after it are background.</summary>
    public const PriorityClass LastForeground = PriorityClass.Normal;

    /// <summary>Makes estimates with no observation yet.</summary>
    /// <param name="defaultTime">The estimate before any observation; not negative.</param>
    /// <param name="smoothing">The weight of each new observation, in (0, 1].</param>
    public ServiceEstimates(TimeSpan defaultTime, double smoothing = 0.2)
    {
        All = new ServiceTimeEstimator(defaultTime, smoothing);
        Foreground = new ServiceTimeEstimator(defaultTime, smoothing);
        Background = new ServiceTimeEstimator(defaultTime, smoothing);
    }

    /// <summary>Over every request: the model's mean, as the dispatch and scale-out steps use it.</summary>
    public ServiceTimeEstimator All { get; }

    /// <summary>Over <c>critical</c>, <c>high</c> and <c>normal</c> requests.</summary>
    public ServiceTimeEstimator Foreground { get; }

    /// <summary>Over <c>low</c> and <c>batch</c> requests.</summary>
    public ServiceTimeEstimator Background { get; }

    /// <summary>The mean over every request (<see cref="All"/>).</summary>
    public TimeSpan Mean => All.Mean;

    /// <summary>Observations over every request.</summary>
    public long Observations => All.Observations;

    /// <summary>True for the classes kept in <see cref="Background"/>.</summary>
    public static bool IsBackground(PriorityClass priority) => priority > LastForeground;

    /// <summary>The estimator that predicts a request of <paramref name="priority"/>: its band's once that has an observation, else <see cref="All"/>.</summary>
    public ServiceTimeEstimator For(PriorityClass priority)
    {
        var band = Band(priority);
        return band.Observations > 0 ? band : All;
    }

    /// <summary>True once a request of <paramref name="priority"/>'s band was observed: only then is its deadline judged.</summary>
    public bool HasSample(PriorityClass priority) => Band(priority).Observations > 0;

    /// <summary>The predicted service time of one request of <paramref name="priority"/> (<see cref="ServiceTimeEstimator.Predict"/> of <see cref="For"/>).</summary>
    public TimeSpan Predict(PriorityClass priority, int? promptTokens, int? maxTokens) => For(priority).Predict(promptTokens, maxTokens);

    /// <summary>The mean service time the requests a <paramref name="priority"/> request waits for take: its band's once observed (those ahead of a foreground request are foreground), else the mean over all.</summary>
    public TimeSpan MeanFor(PriorityClass priority) => IsBackground(priority) ? All.Mean : For(priority).Mean;

    /// <summary>Adds one finished request with its token counts, to its band and to <see cref="All"/>.</summary>
    public void Observe(PriorityClass priority, TimeSpan serviceTime, int promptTokens, int outputTokens, int? maxTokens)
    {
        All.Observe(serviceTime, promptTokens, outputTokens, maxTokens);
        Band(priority).Observe(serviceTime, promptTokens, outputTokens, maxTokens);
    }

    /// <summary>Adds one observed service time, to its band and to <see cref="All"/>.</summary>
    public void Observe(PriorityClass priority, TimeSpan serviceTime)
    {
        All.Observe(serviceTime);
        Band(priority).Observe(serviceTime);
    }

    private ServiceTimeEstimator Band(PriorityClass priority) => IsBackground(priority) ? Background : Foreground;
}
