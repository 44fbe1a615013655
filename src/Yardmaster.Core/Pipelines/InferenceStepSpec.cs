namespace Yardmaster.Core.Pipelines;

/// <summary>
/// <c>inference:</c> of a step: every line of <see cref="Input"/> (a JSON chat or completion request) is sent to
/// <see cref="Task"/> through the request scheduler at the pipeline's priority class, and the responses are
/// written, one JSON line each in input order, to <see cref="Output"/>. Both paths are relative to the run's
/// working directory. Runs inside a server (<c>yard serve</c>) that serves the task.
/// </summary>
/// <param name="Task">The inference task that answers.</param>
/// <param name="Input">The JSONL file of requests.</param>
/// <param name="Output">The JSONL file of responses.</param>
public sealed record InferenceStepSpec(string Task, string Input, string Output)
{
    /// <summary>Requests in flight at once. Default 4.</summary>
    public int Concurrency { get; init; } = 4;
}
