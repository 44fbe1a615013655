using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Serving;

/// <summary>What admission knows of one arriving request and its task.</summary>
/// <param name="Now">The clock.</param>
/// <param name="Priority">The request's class.</param>
/// <param name="Deadline">When its answer is due.</param>
/// <param name="ShuttingDown">True when the scheduler is stopping.</param>
/// <param name="Task">The task's name.</param>
/// <param name="MaxConcurrency">The task's <c>max_concurrency</c>; null for none.</param>
/// <param name="Admitted">The task's requests admitted and not yet ended.</param>
/// <param name="Rate">The task's token bucket (taken from when every earlier check passes); null for no rate.</param>
/// <param name="Candidates">The task's models, in declared order.</param>
/// <param name="MaxQueue">Requests a model's queue holds (<c>scheduler.max_queue</c>).</param>
/// <param name="LoadWait">How long a request waits for memory to load a cold model (<c>scheduler.load_wait</c>).</param>
public sealed record AdmissionInput(
    DateTimeOffset Now,
    PriorityClass Priority,
    DateTimeOffset Deadline,
    bool ShuttingDown,
    string Task,
    int? MaxConcurrency,
    int Admitted,
    TokenBucket? Rate,
    IReadOnlyList<AdmissionCandidate> Candidates,
    int MaxQueue,
    TimeSpan LoadWait)
{
    /// <summary>
    /// True (the server's behaviour) to refuse at once a request whose predicted wait plus service exceed its deadline;
    /// false admits it to wait until its deadline (the <c>fcfs</c> baseline of <c>yard simulate</c>: no admission control).
    /// </summary>
    public bool JudgeDeadlines { get; init; } = true;

    /// <summary>The task's quality floor (<see cref="Models.QualitySelection"/>); null for none.</summary>
    public Configuration.QualityFloor? Quality { get; init; }
}
