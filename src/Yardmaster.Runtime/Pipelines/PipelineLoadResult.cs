using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>What <see cref="PipelineLoader"/> found: the pipeline, or every error with file, line, column and field.</summary>
/// <param name="Pipeline">The pipeline; null when there are errors.</param>
/// <param name="Errors">Every error in file order; empty on success.</param>
public sealed record PipelineLoadResult(PipelineDefinition? Pipeline, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the pipeline loaded and validated.</summary>
    public bool Success => Pipeline is not null;
}
