namespace Yardmaster.PolicySim.Queueing;

/// <summary>
/// Service time of a request on one slot: prefill per context token plus decode per generated token.
/// Also the constants of the queueing experiment.
/// </summary>
/// <param name="Slots">Concurrent requests the one model serves.</param>
/// <param name="PrefillPerToken">Prefill time per context token.</param>
/// <param name="DecodePerToken">Decode time per generated token (per sequence, batched).</param>
/// <param name="MaxWait">The fair queue's aging bound (the server's default <c>scheduler.max_wait</c>).</param>
internal sealed record ServiceModel(int Slots, TimeSpan PrefillPerToken, TimeSpan DecodePerToken, TimeSpan MaxWait)
{
    /// <summary>8 slots, 0.2 ms per context token, 20 ms per generated token, MaxWait 30 s.</summary>
    public static ServiceModel Default { get; } = new(8, TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30));

    public TimeSpan Service(int contextTokens, int generatedTokens) => (PrefillPerToken * contextTokens) + (DecodePerToken * generatedTokens);
}
