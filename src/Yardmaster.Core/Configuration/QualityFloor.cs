namespace Yardmaster.Core.Configuration;

/// <summary>
/// A task's <c>quality: { metric, min }</c>: model selection prefers, among the task's candidates whose latest score on
/// <paramref name="Metric"/> is at least <paramref name="Min"/>, the one predicted to meet the SLO at the lowest cost.
/// Scores are fractions in [0, 1] (an <c>evaluate</c> step's mean score).
/// </summary>
/// <param name="Metric">The metric's name, as an evaluation recorded it (e.g. <c>triage-v1</c>).</param>
/// <param name="Min">The floor, in [0, 1].</param>
public sealed record QualityFloor(string Metric, double Min);
