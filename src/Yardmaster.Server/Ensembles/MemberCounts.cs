namespace Yardmaster.Server.Ensembles;

/// <summary>One member's counts in one ensemble.</summary>
/// <param name="Member">The member's name.</param>
/// <param name="ByStatus">Calls by <see cref="MemberStatus"/> (indexed by its value).</param>
/// <param name="Chosen">Times its answer was the one given (first, vote).</param>
/// <param name="MeanAnsweredMs">Mean time to its answers, in milliseconds; null when it never answered.</param>
internal sealed record MemberCounts(string Member, IReadOnlyList<long> ByStatus, long Chosen, double? MeanAnsweredMs);
