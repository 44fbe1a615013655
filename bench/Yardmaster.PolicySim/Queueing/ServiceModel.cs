using Yardmaster.Core.Configuration;
using Yardmaster.Core.Queueing;

namespace Yardmaster.PolicySim.Queueing;

/// <summary>
/// Service time of a request on one slot: prefill per context token plus decode per generated token.
/// Also the constants of the queueing experiment.
/// </summary>
/// <param name="Slots">Concurrent requests the one model serves.</param>
/// <param name="PrefillPerToken">Prefill time per context token.</param>
/// <param name="DecodePerToken">Decode time per generated token (per sequence, batched).</param>
/// <param name="Aging">The fair queue's aging bounds (the server's default <c>scheduler.max_wait</c>).</param>
internal sealed record ServiceModel(int Slots, TimeSpan PrefillPerToken, TimeSpan DecodePerToken, QueueOptions Aging)
{
    /// <summary>8 slots, 0.2 ms per context token, 20 ms per generated token, the server's default aging bounds.</summary>
    public static ServiceModel Default { get; } = new(8, TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(20), new SchedulerSettings().QueueOptions);

    public TimeSpan Service(int contextTokens, int generatedTokens) => (PrefillPerToken * contextTokens) + (DecodePerToken * generatedTokens);
}
