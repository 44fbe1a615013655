namespace Yardmaster.Simulation.Tuning;

/// <summary>A candidate's simulated outcome over the seeds: the objective per seed, and per task its mean attainment and goodput.</summary>
/// <param name="Candidate">The parameters.</param>
/// <param name="Scores">The objective, one per seed (in seed order).</param>
/// <param name="Attainment">Per task, SLO attainment (0 to 1) averaged over the seeds.</param>
/// <param name="Goodput">Per task, requests per second within SLO averaged over the seeds.</param>
internal sealed record TuneEvaluation(TuneCandidate Candidate, IReadOnlyList<double> Scores, IReadOnlyDictionary<string, double> Attainment, IReadOnlyDictionary<string, double> Goodput)
{
    /// <summary>The objective averaged over the seeds.</summary>
    public double Mean => Scores.Average();
}
