using Yardmaster.Core;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Serving;

/// <summary>What the gateway asks the scheduler for: a slot for one request of <see cref="Task"/>.</summary>
public sealed record RequestTicket
{
    /// <summary>The task (a model addressed directly comes with its implicit default task).</summary>
    public required TaskDefinition Task { get; init; }

    /// <summary>Its class: the task's, or less urgent when the request lowered it.</summary>
    public required PriorityClass Priority { get; init; }

    /// <summary>When the answer is due (the task's latency SLO, or sooner when the request asked).</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>When the request arrived.</summary>
    public required DateTimeOffset Arrival { get; init; }

    /// <summary>Estimated service units (tokens to generate); at least 1.</summary>
    public double Cost { get; init; } = 1;

    /// <summary>Its prompt's length in tokens as the gateway counts them (token ids, or about four characters a token); null when unknown. Admission predicts its service from it.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>The most tokens it may generate (<c>max_tokens</c>); null when it set none. Admission predicts its service from it.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>True for an embedding request: engines never let one take another's slot, so it waits for a free slot.</summary>
    public bool Embedding { get; init; }

    /// <summary>The request's id (<c>X-Request-Id</c>), naming its decision trace; null gives it a scheduler-made one.</summary>
    public string? RequestId { get; init; }

    /// <summary>Which try this is (1 first); a later attempt continues the decision trace of the same <see cref="RequestId"/>.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Models not to choose (a retry after a failure on them).</summary>
    public IReadOnlyCollection<string> ExcludedModels { get; init; } = [];
}
