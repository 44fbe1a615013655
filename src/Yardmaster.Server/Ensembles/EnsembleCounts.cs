namespace Yardmaster.Server.Ensembles;

/// <summary>One ensemble's counts: requests by outcome, and each member's.</summary>
/// <param name="Ensemble">The ensemble task.</param>
/// <param name="Outcomes">Requests by outcome: answered, timed_out, failed.</param>
/// <param name="Members">Each member's counts, in the order first seen.</param>
internal sealed record EnsembleCounts(string Ensemble, IReadOnlyDictionary<string, long> Outcomes, IReadOnlyList<MemberCounts> Members);
