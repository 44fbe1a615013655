using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>An attempt placed on a node: what it holds, its executor handle once started, and why it is being stopped. Owned by the loop.</summary>
internal sealed class ActiveAttempt(ActiveStep step, AttemptRecord record, int node, ResourceRequest request, ulong gpus, StepLaunch launch, IStepExecutor executor)
{
    public ActiveStep Step { get; } = step;

    public AttemptRecord Record { get; set; } = record;

    /// <summary>The ledger's node index; -1 while an engine that places work itself (Slurm) has not started it on a node.</summary>
    public int Node { get; set; } = node;

    public ResourceRequest Request { get; } = request;

    public ulong Gpus { get; set; } = gpus;

    public StepLaunch Launch { get; } = launch;

    public IStepExecutor Executor { get; } = executor;

    public IStepProcess? Process { get; set; }

    /// <summary>Set when the scheduler stops it: preempted, cancelled or timed out.</summary>
    public AttemptOutcome? StopReason { get; set; }

    public ITimer? TimeoutTimer { get; set; }

    /// <summary>The ledger's seconds-clock when placed.</summary>
    public double StartedSeconds { get; init; }

    public bool Ended { get; set; }

    /// <summary>The item of a <c>map:</c> step it runs; null for a step that is not mapped.</summary>
    public int? Item { get; init; }
}
