namespace Yardmaster.Core.Registry;

/// <summary>
/// One measurement of a model's quality on a metric: the mean score of <paramref name="Count"/> scored answers, with a
/// 95% confidence interval. Written by an <c>evaluate</c> step or through <c>POST /api/models/{name}/quality</c>; the
/// latest per model and metric is what model selection reads. Immutable.
/// </summary>
/// <param name="Model">The model measured (a model's name; a task evaluated is recorded under the model that answered).</param>
/// <param name="Metric">The metric's name (e.g. <c>triage-v1</c>).</param>
/// <param name="Score">Mean score in [0, 1].</param>
/// <param name="Count">Answers scored; at least 1.</param>
/// <param name="Low">Lower end of the 95% confidence interval, in [0, <paramref name="Score"/>].</param>
/// <param name="High">Upper end of the 95% confidence interval, in [<paramref name="Score"/>, 1].</param>
/// <param name="Dataset">What was evaluated (the dataset's path or name).</param>
/// <param name="MeasuredAt">When the evaluation ended.</param>
/// <param name="Source">Where it came from, e.g. <c>run r-12 step eval</c> or <c>api</c>.</param>
public sealed record ModelQuality(
    string Model,
    string Metric,
    double Score,
    int Count,
    double Low,
    double High,
    string Dataset,
    DateTimeOffset MeasuredAt,
    string Source);
