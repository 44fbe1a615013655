using Yardmaster.Core.Statistics;

namespace Yardmaster.Simulation.Reporting;

/// <summary>A task's latency objective as <c>/api/tasks</c> (or yard.yaml) gives it: a TTFT target, a latency target, or both.</summary>
/// <param name="Ttft">Time to first token at most this; null for no TTFT target.</param>
/// <param name="Latency">Whole answer within this; null for no latency target.</param>
public sealed record SloTarget(TimeSpan? Ttft, TimeSpan? Latency)
{
    /// <summary>True when the target has neither bound.</summary>
    public bool IsEmpty => Ttft is null && Latency is null;

    /// <summary>
    /// Whether <paramref name="result"/> met the target, as the gateway counts it: completed with its TTFT (its latency
    /// when no token came) and its latency within their bounds; a refused, timed-out or failed request misses; a
    /// cancelled or invalid one is not counted (null).
    /// </summary>
    public bool? Met(RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome switch
        {
            RequestOutcome.Completed => (Ttft is not { } t || (result.Ttft ?? result.Latency) <= t) && (Latency is not { } l || result.Latency <= l),
            RequestOutcome.Refused or RequestOutcome.TimedOut or RequestOutcome.Failed => false,
            _ => null,
        };
    }
}
