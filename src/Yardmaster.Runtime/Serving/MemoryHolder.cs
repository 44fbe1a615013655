using Yardmaster.Core;

namespace Yardmaster.Runtime.Serving;

/// <summary>A replica that holds memory another model needs and cannot be evicted now.</summary>
/// <param name="Model">Its model.</param>
/// <param name="Replica">Its number.</param>
/// <param name="Device">The device whose memory it holds.</param>
/// <param name="Bytes">How much.</param>
/// <param name="Why">busy, pinned or loading.</param>
/// <param name="Requests">The requests it serves (task and class), when busy.</param>
public sealed record MemoryHolder(string Model, int Replica, string Device, long Bytes, string Why, IReadOnlyList<HolderRequest> Requests)
{
    /// <summary>E.g. "memory held by model `tiny`, busy with task `nightly-summaries` (batch)".</summary>
    public string Words => Requests.Count > 0
        ? $"memory held by model `{Model}`, busy with " + string.Join(", ", Requests.Select(r => $"task `{r.Task}` ({r.Priority.Name()})").Distinct())
        : $"memory held by model `{Model}` ({Why})";
}
