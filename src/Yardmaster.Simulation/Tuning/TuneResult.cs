namespace Yardmaster.Simulation.Tuning;

/// <summary>What <see cref="PolicyTuner"/> found: the current settings' outcome, the best found, and how the search went.</summary>
/// <param name="Current">The configuration as it is.</param>
/// <param name="Best">The best candidate found (the current one when nothing beat it).</param>
/// <param name="Evaluated">Candidates simulated.</param>
/// <param name="Elapsed">Wall time of the search.</param>
/// <param name="Complete">True when the search ended by itself (no neighbour better), false when the budget ended it.</param>
internal sealed record TuneResult(TuneEvaluation Current, TuneEvaluation Best, int Evaluated, TimeSpan Elapsed, bool Complete)
{
    /// <summary>Per seed, the best's objective minus the current's.</summary>
    public IReadOnlyList<double> Gains => [.. Best.Scores.Zip(Current.Scores, (b, c) => b - c)];

    /// <summary>True when the best beats the current on every seed (the change is predicted better whatever the draw).</summary>
    public bool Confident => Gains.Count > 0 && Gains.All(g => g > 0);
}
