namespace Yardmaster.Core.Runs;

/// <summary>
/// Where the items of a <c>map:</c> step are, from their attempts: each item counted once, by its latest attempt.
/// <see cref="Failed"/> counts items whose latest attempt failed (a retry may follow while the step runs).
/// </summary>
/// <param name="Total">The step's item count.</param>
/// <param name="Pending">Items with no attempt yet, or whose last attempt was preempted or never started.</param>
/// <param name="Running">Items with an attempt running.</param>
/// <param name="Succeeded">Items that succeeded.</param>
/// <param name="Failed">Items whose latest attempt failed, timed out, was killed or lost.</param>
/// <param name="Cancelled">Items stopped by a cancellation.</param>
public readonly record struct MapItemCounts(int Total, int Pending, int Running, int Succeeded, int Failed, int Cancelled)
{
    /// <summary>Counts the items of a step with <paramref name="total"/> items from its attempts (any order; attempts without an item are ignored).</summary>
    public static MapItemCounts Of(int total, IEnumerable<AttemptRecord> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var latest = new Dictionary<int, AttemptRecord>();
        foreach (var a in attempts)
        {
            if (a.Item is { } item && (!latest.TryGetValue(item, out var seen) || seen.Number < a.Number))
            {
                latest[item] = a;
            }
        }

        int running = 0, succeeded = 0, failed = 0, cancelled = 0;
        foreach (var a in latest.Values)
        {
            switch (a.Outcome)
            {
                case Pipelines.AttemptOutcome.Running: running++; break;
                case Pipelines.AttemptOutcome.Succeeded: succeeded++; break;
                case Pipelines.AttemptOutcome.Cancelled: cancelled++; break;
                case var o when Pipelines.StepStates.UsesRetry(o): failed++; break;
            }
        }

        return new(total, Math.Max(0, total - running - succeeded - failed - cancelled), running, succeeded, failed, cancelled);
    }
}
