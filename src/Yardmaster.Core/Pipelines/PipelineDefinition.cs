namespace Yardmaster.Core.Pipelines;

/// <summary>A pipeline file: a DAG of steps with a priority class and limits. Immutable; validated by <see cref="PipelineValidator"/>.</summary>
public sealed record PipelineDefinition
{
    /// <summary>The pipeline's name; runs are listed under it.</summary>
    public required string Name { get; init; }

    /// <summary>The class its steps are ordered and preempted by. Default <see cref="PriorityClass.Normal"/>.</summary>
    public PriorityClass Priority { get; init; } = PriorityClass.Normal;

    /// <summary>At most this many steps of this pipeline at a time, over all its runs; null for no limit beyond the nodes' capacity.</summary>
    public int? MaxParallel { get; init; }

    /// <summary>
    /// The run's working directory when given (<c>workdir:</c>, relative to the pipeline file's folder; it must exist and
    /// is shared by every run of the pipeline); null for a fresh directory per run under the data folder.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables for every step (a step's own <c>env</c> wins).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The steps in file order.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; init; } = [];

    /// <summary><c>executor:</c> the default of its steps' <see cref="StepDefinition.Executor"/>; null for the server's (<c>jobs.executor</c>).</summary>
    public string? Executor { get; init; }
}
