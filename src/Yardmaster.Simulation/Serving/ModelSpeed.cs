namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The token model of one model's replica: a request holds one slot for its prompt at the prefill rate plus its output at
/// the decode rate (each slot at these rates, independent of the others: what <c>yard model bench</c> measures per
/// sequence), and a load takes <see cref="LoadTime"/> (null: sampled from the load-latency trace when given, else 2 s).
/// </summary>
/// <param name="PrefillTokensPerSecond">Prompt tokens per second per slot.</param>
/// <param name="DecodeTokensPerSecond">Output tokens per second per slot.</param>
/// <param name="LoadTime">How long a load takes; null to sample.</param>
internal sealed record ModelSpeed(double PrefillTokensPerSecond, double DecodeTokensPerSecond, TimeSpan? LoadTime)
{
    /// <summary>Time to the first token of a request of <paramref name="promptTokens"/>.</summary>
    public TimeSpan Prefill(int promptTokens) => TimeSpan.FromSeconds(promptTokens / PrefillTokensPerSecond);

    /// <summary>Time a request holds its slot.</summary>
    public TimeSpan Service(int promptTokens, int outputTokens) => Prefill(promptTokens) + TimeSpan.FromSeconds(outputTokens / DecodeTokensPerSecond);
}
