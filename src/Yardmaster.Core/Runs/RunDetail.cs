namespace Yardmaster.Core.Runs;

/// <summary>A run with its steps (in file order) and every attempt (by step, then number).</summary>
public sealed record RunDetail(RunRecord Run, IReadOnlyList<StepRecord> Steps, IReadOnlyList<AttemptRecord> Attempts);
