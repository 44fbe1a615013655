using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Runs;

/// <summary>One run as stored: its pipeline (the file's text, so it can be rebuilt after a restart), state and times.</summary>
public sealed record RunRecord
{
    /// <summary><c>r</c> and a number the store assigns: <c>r42</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The pipeline's name.</summary>
    public required string Pipeline { get; init; }

    /// <summary>The pipeline's class.</summary>
    public PriorityClass Priority { get; init; }

    /// <summary>Where it is.</summary>
    public RunState State { get; init; }

    /// <summary>The pipeline file's YAML text, as submitted.</summary>
    public required string Definition { get; init; }

    /// <summary>The file name it was submitted as (for messages).</summary>
    public required string SourceFile { get; init; }

    /// <summary>The run's shared working directory.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it ended; null while running.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why it ended as it did ("step 'score' failed: exit 3"); null while running or on success.</summary>
    public string? Reason { get; init; }
}
