namespace Yardmaster.Simulation.Reporting;

/// <summary>One task's line of a <see cref="RunSummary"/> (or the run's total, task <c>all</c>).</summary>
/// <param name="Task">The task's name; <c>all</c> for the total.</param>
/// <param name="Requests">Requests sent (or arrived, simulated).</param>
/// <param name="Completed">Answered in full.</param>
/// <param name="Refused">Refused at admission (429, 503).</param>
/// <param name="TimedOut">Deadline passed (504, or no answer within the client's timeout).</param>
/// <param name="Failed">The backend or the connection failed.</param>
/// <param name="Other">Cancelled or invalid (400, 404, 413): not counted in the attainment.</param>
/// <param name="Slo">The task's target; null when it has none (or it could not be learnt): then no attainment.</param>
/// <param name="SloMet">Requests that met it; null without a target.</param>
/// <param name="SloAttainment">SloMet ÷ (requests − other), 0 to 1; null without a target or with nothing counted.</param>
/// <param name="Goodput">Requests per second that completed within the target (completed at all, without one), over the run's duration.</param>
/// <param name="Ttft">TTFT percentiles (ms) of the completed requests; null when none.</param>
/// <param name="Latency">Latency percentiles (ms) of the completed requests; null when none.</param>
/// <param name="RefusalsByStatus">Requests not completed, by HTTP status (<c>0</c>: no status, the connection failed).</param>
/// <param name="RefusalsByReason">The same, by reason (<c>rate_limit</c>, <c>queue_full</c>, ...).</param>
public sealed record TaskSummary(
    string Task,
    long Requests,
    long Completed,
    long Refused,
    long TimedOut,
    long Failed,
    long Other,
    SloTarget? Slo,
    long? SloMet,
    double? SloAttainment,
    double Goodput,
    Percentiles? Ttft,
    Percentiles? Latency,
    IReadOnlyDictionary<int, long> RefusalsByStatus,
    IReadOnlyDictionary<string, long> RefusalsByReason);
