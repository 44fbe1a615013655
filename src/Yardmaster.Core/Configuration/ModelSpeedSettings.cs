namespace Yardmaster.Core.Configuration;

/// <summary>
/// A model's <c>simulation:</c> settings: the token model <c>yard simulate</c> and <c>yard tune</c> serve it with (as
/// <c>yard model bench</c> measures it), and its load time. The live server does not use them. Either the two scalar
/// rates (the same per sequence however many a replica runs at once) or <see cref="Concurrency"/>, a table by the number
/// of sequences at once.
/// </summary>
/// <param name="PrefillTokensPerSecond">Prompt tokens per second per sequence; NaN when absent (the table gives the rates).</param>
/// <param name="DecodeTokensPerSecond">Output tokens per second per sequence; NaN when absent (the table gives the rates).</param>
/// <param name="LoadTime">How long a load takes; null for the simulator's default.</param>
public sealed record ModelSpeedSettings(double PrefillTokensPerSecond, double DecodeTokensPerSecond, TimeSpan? LoadTime)
{
    /// <summary>
    /// <c>simulation.concurrency</c>: the per-sequence rates with a given number of sequences in flight on a replica, by
    /// increasing <see cref="ConcurrencySpeedSettings.Sequences"/>; null when the scalar rates apply at every concurrency.
    /// </summary>
    public IReadOnlyList<ConcurrencySpeedSettings>? Concurrency { get; init; }
}
