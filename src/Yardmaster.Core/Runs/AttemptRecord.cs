using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Runs;

/// <summary>One try of a step as stored. Written (outcome running) before the executor is asked to start it.</summary>
public sealed record AttemptRecord
{
    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The step.</summary>
    public required string StepId { get; init; }

    /// <summary>1 for the first try.</summary>
    public int Number { get; init; }

    /// <summary>How it ended; <see cref="AttemptOutcome.Running"/> until then.</summary>
    public AttemptOutcome Outcome { get; init; }

    /// <summary>The executor's name.</summary>
    public required string Executor { get; init; }

    /// <summary>The node it was placed on.</summary>
    public required string Node { get; init; }

    /// <summary>The GPU indexes it was given.</summary>
    public IReadOnlyList<int> Gpus { get; init; } = [];

    /// <summary>What the executor calls it (<c>pid 4242</c>, a container id); null until started.</summary>
    public string? Locator { get; init; }

    /// <summary>Its stdout and stderr.</summary>
    public required string LogPath { get; init; }

    /// <summary>When it was placed.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The exit status, when it exited.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why it ended as it did.</summary>
    public string? Reason { get; init; }

    /// <summary>For an attempt of a <c>map:</c> step, the item it ran (0-based, <c>$YARD_ITEM_INDEX</c>); null otherwise.</summary>
    public int? Item { get; init; }

    /// <summary>The JSON object the attempt wrote to <c>$YARD_OUTPUTS</c>, compact, once it succeeded; null otherwise.</summary>
    public string? Result { get; init; }
}
