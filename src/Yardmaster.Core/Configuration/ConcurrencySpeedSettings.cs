namespace Yardmaster.Core.Configuration;

/// <summary>
/// One row of <c>simulation.concurrency</c>: what each sequence gets while a replica runs <paramref name="Sequences"/> at
/// once (<c>yard model bench --concurrency</c> prints these rows).
/// </summary>
/// <param name="Sequences">Sequences in flight on the replica, at least 1.</param>
/// <param name="PrefillTokensPerSecond">Prompt tokens per second per sequence, above 0.</param>
/// <param name="DecodeTokensPerSecond">Output tokens per second per sequence, above 0.</param>
public sealed record ConcurrencySpeedSettings(int Sequences, double PrefillTokensPerSecond, double DecodeTokensPerSecond);
