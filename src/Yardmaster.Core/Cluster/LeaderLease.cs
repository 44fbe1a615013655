namespace Yardmaster.Core.Cluster;

/// <summary>
/// The job scheduler's lease: who holds it, until when, and its epoch. The epoch grows by one each time the lease
/// changes hands (never on a renewal), so a write fenced with an older epoch is refused (<see cref="StoreFencedException"/>).
/// </summary>
/// <param name="HolderId">The instance holding it.</param>
/// <param name="HolderUrl">Where that instance's API answers.</param>
/// <param name="Epoch">1 for the first holder, then one more per change of holder.</param>
/// <param name="ExpiresAt">When it lapses unless renewed, by the store's clock.</param>
public sealed record LeaderLease(string HolderId, string HolderUrl, long Epoch, DateTimeOffset ExpiresAt);
