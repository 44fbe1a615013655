namespace Yardmaster.Core.Pipelines;

/// <summary>How one attempt ended, as the scheduler judges it (the executor's <c>StepExit</c> plus what the scheduler did).</summary>
public enum AttemptOutcome
{
    /// <summary>Not ended yet.</summary>
    Running,

    /// <summary>Exit 0 and its declared outputs exist.</summary>
    Succeeded,

    /// <summary>A non-zero exit, a signal, a missing output, or an executor that could not start it. Uses a retry.</summary>
    Failed,

    /// <summary>Killed for running past its timeout. Uses a retry.</summary>
    TimedOut,

    /// <summary>Killed for exceeding its memory limit. Uses a retry.</summary>
    OomKilled,

    /// <summary>Stopped to make room for a step of a higher class; requeued without using a retry.</summary>
    Preempted,

    /// <summary>Stopped because its run was cancelled.</summary>
    Cancelled,

    /// <summary>Gone after a scheduler restart with no recorded outcome. Uses a retry.</summary>
    Lost,

    /// <summary>Written as started, but the scheduler stopped before the executor started it; requeued without using a retry.</summary>
    NeverStarted,
}
