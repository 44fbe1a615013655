namespace Yardmaster.Core.Runs;

/// <summary>
/// Changes written in one transaction: rows of runs, steps and attempts (each replaces the stored row with
/// the same key), transitions appended, and step-duration estimates. The scheduler fills one per turn of its
/// loop and acts on the decisions only after <see cref="IRunStore.WriteAsync"/> returns. Not thread-safe.
/// </summary>
public sealed class RunStoreBatch
{
    /// <summary>Runs to write.</summary>
    public List<RunRecord> Runs { get; } = [];

    /// <summary>Steps to write.</summary>
    public List<StepRecord> Steps { get; } = [];

    /// <summary>Attempts to write.</summary>
    public List<AttemptRecord> Attempts { get; } = [];

    /// <summary>Transitions to append.</summary>
    public List<TransitionRecord> Transitions { get; } = [];

    /// <summary>Estimated durations, seconds, by pipeline and step.</summary>
    public List<(string Pipeline, string Step, double Seconds)> Durations { get; } = [];

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Runs.Count == 0 && Steps.Count == 0 && Attempts.Count == 0 && Transitions.Count == 0 && Durations.Count == 0;

    /// <summary>Empties it for the next turn.</summary>
    public void Clear()
    {
        Runs.Clear();
        Steps.Clear();
        Attempts.Clear();
        Transitions.Clear();
        Durations.Clear();
    }
}
