namespace Yardmaster.Server.Observability;

/// <summary>Explicit histogram bucket bounds, seconds: fixed so that percentiles can be compared across servers and time.</summary>
internal static class MetricBuckets
{
    /// <summary>Queue time, time to first token and latency of LLM requests: 5 ms to 2 minutes.</summary>
    public static IReadOnlyList<double> Request { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    /// <summary>Model loads: 100 ms to 10 minutes.</summary>
    public static IReadOnlyList<double> Load { get; } = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    /// <summary>Step attempts: 100 ms to a day.</summary>
    public static IReadOnlyList<double> Step { get; } = [0.1, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400];
}
