namespace Yardmaster.Core.Pipelines;

/// <summary>The rules of step, run and attempt states, in one place so the scheduler, the store and the tests agree.</summary>
public static class StepStates
{
    /// <summary>True for the states a step never leaves (except by an explicit retry of its run).</summary>
    public static bool IsTerminal(this StepState state) => state is StepState.Succeeded or StepState.Failed or StepState.Cancelled or StepState.Skipped;

    /// <summary>True for the states a run never leaves (except by an explicit retry).</summary>
    public static bool IsTerminal(this RunState state) => state is not RunState.Running;

    /// <summary>True when the outcome consumes one of the step's retries.</summary>
    public static bool UsesRetry(this AttemptOutcome outcome) =>
        outcome is AttemptOutcome.Failed or AttemptOutcome.TimedOut or AttemptOutcome.OomKilled or AttemptOutcome.Lost;

    /// <summary>
    /// Whether the scheduler may move a step from <paramref name="from"/> to <paramref name="to"/>. A retry
    /// of a run moves failed, cancelled and skipped steps back to waiting; nothing leaves
    /// <see cref="StepState.Succeeded"/>, so no step succeeds twice.
    /// </summary>
    public static bool IsAllowed(StepState from, StepState to) => (from, to) switch
    {
        (StepState.Succeeded, _) => false,
        (StepState.Waiting, StepState.Ready or StepState.Skipped or StepState.Cancelled) => true,
        (StepState.Waiting or StepState.Ready, StepState.Failed) => true, // a map: whose items cannot be read
        (StepState.Ready, StepState.Running or StepState.Cancelled) => true,
        (StepState.Running, StepState.Succeeded or StepState.Failed or StepState.Retrying or StepState.Ready or StepState.Cancelled) => true,
        (StepState.Retrying, StepState.Ready or StepState.Cancelled) => true,
        (StepState.Failed or StepState.Cancelled or StepState.Skipped, StepState.Waiting) => true,
        _ => false,
    };

    /// <summary>snake_case names as the API and the CLI show them.</summary>
    public static string Name(this StepState state) => state.ToString().ToLowerInvariant();

    /// <inheritdoc cref="Name(StepState)"/>
    public static string Name(this RunState state) => state.ToString().ToLowerInvariant();

    /// <inheritdoc cref="Name(StepState)"/>
    public static string Name(this AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.TimedOut => "timed_out",
        AttemptOutcome.OomKilled => "oom_killed",
        AttemptOutcome.NeverStarted => "never_started",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
