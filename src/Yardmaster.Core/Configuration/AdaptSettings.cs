namespace Yardmaster.Core.Configuration;

/// <summary>
/// <c>scheduler.adapt:</c> the server re-tunes its own scheduler settings from its request log: every <see cref="Every"/>
/// it simulates the last <see cref="Window"/> of requests under the settings within <see cref="Bounds"/>, applies a change
/// predicted better by <see cref="Margin"/> on every seed, measures it over the next window, and reverts it when it measured
/// worse. Absent (null in <see cref="SchedulerSettings.Adapt"/>): off.
/// </summary>
public sealed record AdaptSettings
{
    /// <summary><c>every</c>: how often to look (default 1 hour).</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>window</c>: the history a search replays, and how long a change runs before it is judged (default 24 hours).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>objective</c>: <c>slo</c> (attainment weighted by class, default) or <c>goodput</c> (requests per second within SLO).</summary>
    public string Objective { get; init; } = "slo";

    /// <summary>
    /// <c>margin</c>: a change is applied only when predicted better by more than this on every seed, and reverted when it
    /// measured worse by more than this (in the objective's unit: a share of requests for <c>slo</c>; default 0.02).
    /// </summary>
    public double Margin { get; init; } = 0.02;

    /// <summary><c>seeds</c>: draws each candidate is simulated under (default 3).</summary>
    public int Seeds { get; init; } = 3;

    /// <summary><c>budget</c>: wall time one search may take (default 30 s).</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>min_requests</c>: fewer logged requests in the window and nothing is tuned or judged (default 200).</summary>
    public int MinRequests { get; init; } = 200;

    /// <summary><c>bounds</c>: what may change, and within what; null for the whole space <c>yard tune</c> searches.</summary>
    public AdaptBounds? Bounds { get; init; }
}
