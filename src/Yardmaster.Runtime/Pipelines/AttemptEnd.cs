using Yardmaster.Core.Pipelines;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>One attempt of a step that ended, as <see cref="JobScheduler.AttemptEnded"/> reports it (metrics, traces).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="StepId">The step.</param>
/// <param name="Number">The attempt's number (1 for the first).</param>
/// <param name="Executor">The executor that ran it (<c>process</c>, <c>docker</c>, <c>inference</c>).</param>
/// <param name="Node">The node it was placed on.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="StartedAt">When it was placed.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Reason">Words for people: the exit, or why it was stopped.</param>
/// <param name="Retrying">True when its step will be tried again after the backoff (a retry used).</param>
public sealed record AttemptEnd(
    string RunId,
    string Pipeline,
    string StepId,
    int Number,
    string Executor,
    string Node,
    AttemptOutcome Outcome,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    string Reason,
    bool Retrying);
