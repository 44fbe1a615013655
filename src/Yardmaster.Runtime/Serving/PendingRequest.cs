using Yardmaster.Core.Queueing;

namespace Yardmaster.Runtime.Serving;

/// <summary>A request in a model's queue, with the promise the dispatcher completes under the scheduler's lock.</summary>
internal sealed class PendingRequest : QueuedRequest
{
    public required ModelEntry Model { get; init; }

    public required TaskEntry TaskEntry { get; init; }

    /// <summary>Its decision trace, written as the scheduler decides.</summary>
    public required TraceBuilder Trace { get; init; }

    /// <summary>Its prompt tokens as the gateway counted them (<see cref="RequestTicket.PromptTokens"/>).</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Its <c>max_tokens</c> (<see cref="RequestTicket.MaxTokens"/>).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>True for an embedding request (<see cref="RequestTicket.Embedding"/>): never handed a busy replica to preempt.</summary>
    public bool Embedding { get; init; }

    /// <summary>The replica serving it once dispatched; null while queued.</summary>
    public Replica? ServedBy { get; set; }

    /// <summary>Completed with a lease, or a refusal, always under the scheduler's lock; continuations run asynchronously.</summary>
    public TaskCompletionSource<AcquireResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
