namespace Yardmaster.Core.Admission;

/// <summary>
/// Predicts how long a new request will wait before its service starts, for admission (refuse what
/// would miss its deadline) and for the queue position reported to clients. Pure.
/// </summary>
/// <remarks>
/// The model: <c>slots</c> servers, each taking one request at a time for <c>meanService</c> on
/// average. A newcomer behind <c>ahead</c> queued requests, with <c>inService</c> running, starts
/// once <c>ahead + inService − slots + 1</c> of them have finished, which at <c>slots</c> completions
/// per <c>meanService</c> takes that many × <c>meanService ÷ slots</c>; nothing when a slot is free.
/// When no replica is ready, the wait for one (<c>pendingLoad</c>) comes first.
/// </remarks>
public static class WaitPrediction
{
    /// <summary>The predicted wait before service starts, at most <see cref="TimeSpan.MaxValue"/>.</summary>
    /// <param name="ahead">Requests that will be served before it (<c>IRequestQueue.CountAhead</c>); not negative.</param>
    /// <param name="inService">Requests being served now; not negative.</param>
    /// <param name="slots">Concurrent requests the serving replicas take: those of the ready replicas, or when none is ready, of the replica being loaded; at least 1.</param>
    /// <param name="meanService">Mean service time of one request (<see cref="ServiceTimeEstimator.Mean"/>); not negative.</param>
    /// <param name="pendingLoad">Time until a replica is ready; zero when one is.</param>
    public static TimeSpan Predict(int ahead, int inService, int slots, TimeSpan meanService, TimeSpan pendingLoad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ahead);
        ArgumentOutOfRangeException.ThrowIfNegative(inService);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(meanService, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(pendingLoad, TimeSpan.Zero);

        var completionsNeeded = Math.Max(0L, (long)ahead + inService - slots + 1);
        var ticks = pendingLoad.Ticks + (completionsNeeded * (double)meanService.Ticks / slots);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)Math.Ceiling(ticks));
    }
}
