using Yardmaster.Core.Queueing;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>One simulated request: the trace's row, its task, and what happened to it.</summary>
internal sealed class SimRequest : QueuedRequest
{
    /// <summary>Index into the simulation's task list.</summary>
    public required int TaskIndex { get; init; }

    /// <summary>Tokens in.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Tokens out.</summary>
    public required int OutputTokens { get; init; }

    /// <summary>A service time the trace gives (alibaba-genai); null when the token model decides.</summary>
    public TimeSpan? TraceService { get; init; }

    /// <summary>The model the trace names; null when the task's models are chosen from.</summary>
    public string? TraceModel { get; init; }

    /// <summary>The model it was queued on.</summary>
    public SimModel? Model { get; set; }

    /// <summary>The replica serving it.</summary>
    public SimReplica? ServedBy { get; set; }

    /// <summary>When it got a slot.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>When its first token was out (start plus prefill); while it is in prefill on a replica whose rates depend on concurrency, when it will be at the current rates.</summary>
    public DateTimeOffset? FirstToken { get; set; }

    /// <summary>When it will end at its current rates (a token model whose rates depend on concurrency only).</summary>
    public DateTimeOffset FinishAt { get; set; }

    /// <summary>Prompt tokens not yet read, as of <see cref="RatedAt"/> (a token model whose rates depend on concurrency only).</summary>
    public double PrefillLeft { get; set; }

    /// <summary>Output tokens not yet made, as of <see cref="RatedAt"/> (a token model whose rates depend on concurrency only).</summary>
    public double DecodeLeft { get; set; }

    /// <summary>When its progress was last brought up to date and its rates set.</summary>
    public DateTimeOffset RatedAt { get; set; }

    /// <summary>Its prefill rate since <see cref="RatedAt"/>, tokens per second.</summary>
    public double PrefillRate { get; set; }

    /// <summary>Its decode rate since <see cref="RatedAt"/>, tokens per second.</summary>
    public double DecodeRate { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? End { get; set; }

    /// <summary>How it ended.</summary>
    public SimOutcome Outcome { get; set; }

    /// <summary>For a refusal, the admission verdict.</summary>
    public AdmissionVerdict? Verdict { get; set; }

    /// <summary>How long it may wait for a slot (admission's wait limit).</summary>
    public TimeSpan WaitLimit { get; set; }

    /// <summary>Its cutoff at the deadline while it runs and might pass it; cleared when it ends.</summary>
    public CutoffEvent? Cutoff { get; set; }

    /// <summary>When its wait limit is scheduled, and its place in the order of events, while it is queued.</summary>
    public (DateTimeOffset At, long Seq) WaitKey { get; set; }
}
