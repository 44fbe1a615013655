namespace Yardmaster.Core.Configuration;

/// <summary>A token-bucket rate: <paramref name="PerSecond"/> requests a second on average, bursts of up to <paramref name="Burst"/>.</summary>
/// <param name="PerSecond">Refill rate, requests per second; positive.</param>
/// <param name="Burst">Bucket size; at least 1. Defaults to the rate rounded up (one second's worth).</param>
public sealed record RateLimit(double PerSecond, int Burst);
