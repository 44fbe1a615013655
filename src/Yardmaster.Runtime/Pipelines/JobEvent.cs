using Yardmaster.Core.Execution;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>What wakes the scheduler's loop. Posted from any thread; handled in order on the loop.</summary>
internal abstract record JobEvent
{
    public sealed record Submitted(ActiveRun Run, TaskCompletionSource<bool> Written) : JobEvent;

    public sealed record Started(ActiveAttempt Attempt, StepStart Result) : JobEvent;

    public sealed record Reattached(ActiveAttempt Attempt, IStepProcess Process) : JobEvent;

    /// <summary>An engine that places work itself started the attempt on <paramref name="Node"/>.</summary>
    public sealed record Placed(ActiveAttempt Attempt, string Node) : JobEvent;

    public sealed record Exited(ActiveAttempt Attempt, StepExit Exit) : JobEvent;

    public sealed record TimedOut(ActiveAttempt Attempt) : JobEvent;

    public sealed record RetryDue(ActiveStep Step) : JobEvent;

    /// <summary>An item of a <c>map:</c> step waited out its retry delay.</summary>
    public sealed record ItemRetryDue(ActiveStep Step, int Item) : JobEvent;

    public sealed record Cancel(string RunId, string Reason, TaskCompletionSource<bool> Done) : JobEvent;

    public sealed record Retry(ActiveRun Run, string? StepId, TaskCompletionSource<string?> Done) : JobEvent;

    public sealed record Wake : JobEvent;
}
