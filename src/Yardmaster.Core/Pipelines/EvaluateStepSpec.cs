namespace Yardmaster.Core.Pipelines;

/// <summary>
/// <c>evaluate:</c> of a step: every item of <see cref="Dataset"/> (a JSONL file of <c>{"input", "expected"}</c> or
/// <c>{"messages", "expected"}</c>, relative to the run's working directory) is asked of each of <see cref="Models"/>
/// (models or tasks) through the request scheduler at the pipeline's priority, with <c>temperature: 0</c>; each answer is
/// scored against its <c>expected</c> (<see cref="Score"/>), and each answering model's mean score, count and 95% interval
/// are recorded in the registry under <see cref="Metric"/> (<c>/api/models/{name}/quality</c>). Runs inside a server.
/// </summary>
/// <param name="Dataset">The JSONL file of items.</param>
/// <param name="Models">What is evaluated: model or task names, at least one.</param>
/// <param name="Metric">The name the scores are recorded under (what tasks' <c>quality.metric</c> name).</param>
/// <param name="Score">How an answer is scored.</param>
public sealed record EvaluateStepSpec(string Dataset, IReadOnlyList<string> Models, string Metric, ScoreMethod Score)
{
    /// <summary>For <see cref="ScoreMethod.Judge"/>: the model or task that grades each answer; else null.</summary>
    public string? Judge { get; init; }

    /// <summary>For <see cref="ScoreMethod.Judge"/>: what a good answer is, told to the judge; null for "correct and complete".</summary>
    public string? Rubric { get; init; }

    /// <summary><c>max_tokens</c> of each question. Default 64.</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>Questions in flight at once. Default 4.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>A JSONL file of every answer and its score (<c>{"model", "item", "answer", "score"}</c>); null for none.</summary>
    public string? Output { get; init; }
}
