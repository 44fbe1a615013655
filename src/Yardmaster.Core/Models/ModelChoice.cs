namespace Yardmaster.Core.Models;

/// <summary>
/// Model selection's answer: the index of the chosen candidate and when its request is predicted to get a slot;
/// or, when no candidate can serve, index -1 and the reason.
/// </summary>
/// <param name="Index">The chosen candidate's index in the list given; -1 on a refusal.</param>
/// <param name="PredictedStart">Predicted time from now until the request holds a slot; zero on a refusal.</param>
/// <param name="Refusal">Why no candidate can serve; null when one was chosen.</param>
public sealed record ModelChoice(int Index, TimeSpan PredictedStart, string? Refusal)
{
    /// <summary>True when a candidate was chosen.</summary>
    public bool Chosen => Refusal is null;

    /// <summary>A refusal with its reason, e.g. "big: not loaded and does not fit (or no replica allowed)".</summary>
    public static ModelChoice Refuse(string reason) => new(-1, TimeSpan.Zero, reason);
}
