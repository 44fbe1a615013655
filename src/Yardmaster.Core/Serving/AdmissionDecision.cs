using Yardmaster.Core.Models;

namespace Yardmaster.Core.Serving;

/// <summary>Admission's answer for one request.</summary>
/// <param name="Verdict">Admitted, or why not.</param>
/// <param name="Model">The chosen candidate's index in <see cref="AdmissionInput.Candidates"/>; -1 when none was chosen.</param>
/// <param name="PredictedWait">Predicted time until it holds a slot on the chosen model.</param>
/// <param name="WaitLimit">How long it may wait for a slot (to its deadline, or <c>load_wait</c> when its model has no replica coming).</param>
/// <param name="Shed">True when the chosen model's queue is full and its least urgent request must give its place (admitted only).</param>
/// <param name="RetryAfter">For a rate limit, when a retry would pass.</param>
/// <param name="Candidates">Why each candidate was or was not chosen, for the decision trace; empty when refused before selection.</param>
/// <param name="Reason">Why the chosen one won, for the decision trace; null when none was chosen.</param>
/// <param name="Words">For <see cref="AdmissionVerdict.CannotFit"/>, why each model cannot load; else null.</param>
public sealed record AdmissionDecision(
    AdmissionVerdict Verdict,
    int Model,
    TimeSpan PredictedWait,
    TimeSpan WaitLimit,
    bool Shed,
    TimeSpan RetryAfter,
    IReadOnlyList<CandidateVerdict> Candidates,
    string? Reason,
    string? Words)
{
    /// <summary>True when the task has a quality floor no candidate met (the best measured one was used instead).</summary>
    public bool QualityUnmet { get; init; }

    /// <summary>A refusal before model selection.</summary>
    public static AdmissionDecision Refuse(AdmissionVerdict verdict, TimeSpan retryAfter = default) => new(verdict, -1, default, default, false, retryAfter, [], null, null);
}
