namespace Yardmaster.Core.Admission;

/// <summary>
/// One model's service-time estimates, kept apart for each priority class, beside the estimate over all requests
/// (<see cref="All"/>). A shared engine serves the classes unalike: background passes may run on fewer threads
/// (<c>pool.background_threads_follow_steps</c>) and less urgent sequences pause for more urgent ones (priority preemption),
/// so a batch line's time says little about a chat request's. A request is predicted from its own class's estimator once
/// that class has an observation, and judged against its deadline only then (<see cref="HasSample"/>): a class never locks
/// itself out on another class's evidence. Pure; not thread-safe: the caller locks.
/// </summary>
public sealed class ServiceEstimates
{
    private readonly ServiceTimeEstimator[] _byClass;

    /// <summary>Makes estimates with no observation yet.</summary>
    /// <param name="defaultTime">The estimate before any observation; not negative.</param>
    /// <param name="smoothing">The weight of each new observation, in (0, 1].</param>
    public ServiceEstimates(TimeSpan defaultTime, double smoothing = 0.2)
    {
        All = new ServiceTimeEstimator(defaultTime, smoothing);
        _byClass = [.. PriorityClasses.All.Select(_ => new ServiceTimeEstimator(defaultTime, smoothing))];
    }

    /// <summary>Over every request: the model's mean, as the dispatch and scale-out steps use it.</summary>
    public ServiceTimeEstimator All { get; }

    /// <summary>The mean over every request (<see cref="All"/>).</summary>
    public TimeSpan Mean => All.Mean;

    /// <summary>Observations over every request.</summary>
    public long Observations => All.Observations;

    /// <summary>The estimator over the requests of <paramref name="priority"/> alone.</summary>
    public ServiceTimeEstimator Of(PriorityClass priority) => _byClass[(int)priority];

    /// <summary>The estimator that predicts a request of <paramref name="priority"/>: its class's once that has an observation, else <see cref="All"/>.</summary>
    public ServiceTimeEstimator For(PriorityClass priority)
    {
        var own = Of(priority);
        return own.Observations > 0 ? own : All;
    }

    /// <summary>True once a request of <paramref name="priority"/> was observed: only then is its deadline judged.</summary>
    public bool HasSample(PriorityClass priority) => Of(priority).Observations > 0;

    /// <summary>The predicted service time of one request of <paramref name="priority"/> (<see cref="ServiceTimeEstimator.Predict"/> of <see cref="For"/>).</summary>
    public TimeSpan Predict(PriorityClass priority, int? promptTokens, int? maxTokens) => For(priority).Predict(promptTokens, maxTokens);

    /// <summary>
    /// The mean service time of the requests a <paramref name="priority"/> request waits for: on an engine that preempts,
    /// those of its class and the more urgent ones, taken as its class's mean once observed; else the mean over all.
    /// </summary>
    /// <param name="priority">The newcomer's class.</param>
    /// <param name="preempting">True when the model's engine preempts less urgent sequences (less urgent requests in flight are then not waited for).</param>
    public TimeSpan MeanFor(PriorityClass priority, bool preempting) => preempting ? For(priority).Mean : All.Mean;

    /// <summary>Adds one finished request with its token counts, to its class and to <see cref="All"/>.</summary>
    public void Observe(PriorityClass priority, TimeSpan serviceTime, int promptTokens, int outputTokens, int? maxTokens)
    {
        All.Observe(serviceTime, promptTokens, outputTokens, maxTokens);
        Of(priority).Observe(serviceTime, promptTokens, outputTokens, maxTokens);
    }

    /// <summary>Adds one observed service time, to its class and to <see cref="All"/>.</summary>
    public void Observe(PriorityClass priority, TimeSpan serviceTime)
    {
        All.Observe(serviceTime);
        Of(priority).Observe(serviceTime);
    }
}
