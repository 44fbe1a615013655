namespace Yardmaster.Core.Models;

/// <summary>Why one candidate model was or was not chosen for a request. Immutable.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Chosen">True for the chosen candidate.</param>
/// <param name="PredictedStart">When its request was predicted to hold a slot, from now; null when it could not serve now.</param>
/// <param name="Reason">The words: its state, and why it won or lost (e.g. "loaded, 1 of 1 slot free; chosen: only ready model").</param>
public sealed record CandidateVerdict(string Model, bool Chosen, TimeSpan? PredictedStart, string Reason);
