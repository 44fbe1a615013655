namespace Yardmaster.Core.Cluster;

/// <summary>
/// What a leader's run-store writes are fenced with: each write checks, in its own transaction, that
/// <paramref name="HolderId"/> still holds the lease at <paramref name="Epoch"/> and that it has not expired; else nothing is
/// written and <see cref="StoreFencedException"/> is thrown.
/// </summary>
public sealed record LeaseFence(string HolderId, long Epoch);
