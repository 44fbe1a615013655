using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Runs;

/// <summary>One step of a run as stored.</summary>
public sealed record StepRecord
{
    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The step's id in the pipeline.</summary>
    public required string StepId { get; init; }

    /// <summary>Its position in the file.</summary>
    public int Index { get; init; }

    /// <summary>Where it is.</summary>
    public StepState State { get; init; }

    /// <summary>Attempts made so far (the current one included).</summary>
    public int Attempts { get; init; }

    /// <summary>Retries used (preempted and never-started attempts do not use one).</summary>
    public int RetriesUsed { get; init; }

    /// <summary>A retrying step becomes ready at this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>When its first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached a terminal state.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>
    /// The step's outputs (API and <c>when:</c> name them <c>outputs</c>): the JSON object its successful attempt wrote to
    /// <c>$YARD_OUTPUTS</c>, compact; for a mapped step <c>{"items": [...]}</c>, each item's object in item order. Null
    /// until it succeeds. Not the files of <see cref="Pipelines.StepDefinition.Outputs"/>.
    /// </summary>
    public string? Result { get; init; }

    /// <summary>For a <c>map:</c> step, how many items it was expanded to (once ready); null for a step that is not mapped or not expanded yet.</summary>
    public int? Items { get; init; }

    /// <summary>Why it is where it is ("exit 3", "timed out after 10s", "needs 'prepare', which failed").</summary>
    public string? Reason { get; init; }
}
