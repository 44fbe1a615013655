using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>A run the scheduler is working on: its record, graph and steps. Owned by the scheduler's loop.</summary>
internal sealed class ActiveRun(RunRecord record, PipelineDefinition pipeline, PipelineGraph graph, long sequence)
{
    public RunRecord Record { get; set; } = record;

    public PipelineDefinition Pipeline { get; } = pipeline;

    public PipelineGraph Graph { get; } = graph;

    /// <summary>Submission order, for ties in the ready order.</summary>
    public long Sequence { get; } = sequence;

    public ActiveStep[] Steps { get; set; } = [];

    /// <summary>Per step: the longest predicted path from it to the end, seconds.</summary>
    public double[] CriticalPath { get; set; } = [];

    /// <summary>Predicted duration per step, seconds.</summary>
    public double[] Predicted { get; set; } = [];

    /// <summary>Per step: whether <see cref="Predicted"/> comes from past attempts.</summary>
    public bool[] HasHistory { get; set; } = [];

    /// <summary>Per step: its parsed <c>when:</c>, null when it has none.</summary>
    public Core.Pipelines.Conditions.Condition?[] Conditions { get; set; } = [];

    public int Running { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>Whether this scheduler made the working directory's outputs folder (<see cref="StepOutputs.Folder"/>).</summary>
    public bool OutputsFolderMade { get; set; }

    /// <summary>On a retry: the run's attempts until then, whose succeeded map items are kept when the items are the same again.</summary>
    public IReadOnlyList<AttemptRecord>? EarlierAttempts { get; set; }

    /// <summary>On a retry: the map steps (indexes) none of whose upstream steps runs again, so that their items' inputs are as they were.</summary>
    public HashSet<int>? KeepItemsOf { get; set; }

    /// <summary>Steps not in a terminal state; kept by the scheduler as states change (a run of 10,000 steps is not scanned per exit).</summary>
    public int Unfinished { get; set; }
}
