using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>A step of an active run: its stored record, the needs still pending, and its current attempt. Owned by the scheduler's loop.</summary>
internal sealed class ActiveStep(ActiveRun run, int index, StepRecord record)
{
    public ActiveRun Run { get; } = run;

    public int Index { get; } = index;

    public StepRecord Record { get; set; } = record;

    public int PendingNeeds { get; set; }

    public ActiveAttempt? Attempt { get; set; }

    /// <summary>The entry in the ready set while ready.</summary>
    public ReadyEntry? Ready { get; set; }

    public ITimer? RetryTimer { get; set; }

    /// <summary>For a <c>map:</c> step once expanded: its items; it stays in the ready set while items wait for a place.</summary>
    public MapProgress? Map { get; set; }
}
