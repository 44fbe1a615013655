using Yardmaster.Core.Models;

namespace Yardmaster.Core.Serving;

/// <summary>What admission knows of one of the task's models, in the task's declared order.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Unavailable">Why it cannot be chosen at all (not configured, or excluded after failing this request); null when it can.</param>
/// <param name="Selection">What model selection knows of it; ignored when <paramref name="Unavailable"/>.</param>
/// <param name="Queued">Requests in its queue.</param>
/// <param name="CanShed">True when its queue holds a request less urgent than the newcomer that a full queue would shed.</param>
/// <param name="Service">The request's predicted service time on it: from its own prompt and <c>max_tokens</c> once the model learned its token rates, else the model's mean (<see cref="Admission.ServiceTimeEstimator.Predict"/>).</param>
/// <param name="HasServiceSample">True once a service time was measured (the deadline check needs one).</param>
/// <param name="FitsSomeBudget">True when some device's whole budget could hold a replica (so a request may wait for memory).</param>
/// <param name="EstimateError">Why it cannot load at all (its file is unreadable); null when fine.</param>
/// <param name="MemoryEstimate">Bytes a replica needs.</param>
/// <param name="DeviceWords">Its device kind in words ("cpu", "gpu").</param>
/// <param name="Coming">Replicas ready or loading.</param>
public sealed record AdmissionCandidate(
    string Model,
    string? Unavailable,
    CandidateSnapshot? Selection,
    int Queued,
    bool CanShed,
    TimeSpan Service,
    bool HasServiceSample,
    bool FitsSomeBudget,
    string? EstimateError,
    long MemoryEstimate,
    string DeviceWords,
    int Coming)
{
    /// <summary>Its latest score on the task's quality metric (<see cref="AdmissionInput.Quality"/>); null when never measured or the task has no floor.</summary>
    public double? Quality { get; init; }
}
