namespace Yardmaster.Core.Runs;

/// <summary>One state change of a run, a step or an attempt, with its time and reason; the store keeps them all, in order.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepId">The step; null for the run itself.</param>
/// <param name="Attempt">The attempt; null for a run's or a step's state.</param>
/// <param name="From">The state before (snake_case); empty for a creation.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When.</param>
public sealed record TransitionRecord(string RunId, string? StepId, int? Attempt, string From, string To, string Reason, DateTimeOffset At);
