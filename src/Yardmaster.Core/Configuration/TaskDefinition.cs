namespace Yardmaster.Core.Configuration;

/// <summary>
/// An inference task as declared in <c>yard.yaml</c> (<c>tasks:</c>) or through <c>/api/tasks</c>: its
/// priority class, SLO, candidate models and quotas. Immutable; validated by <c>DefinitionValidator</c>.
/// </summary>
public sealed record TaskDefinition
{
    /// <summary>The public name, used as <c>model</c> in OpenAI requests.</summary>
    public required string Name { get; init; }

    /// <summary>The priority class of its requests; a request may lower it, never raise it. Default normal.</summary>
    public PriorityClass Priority { get; init; } = PriorityClass.Normal;

    /// <summary>Target time to first token; null for none.</summary>
    public TimeSpan? Ttft { get; init; }

    /// <summary>Target end-to-end latency, which is also the request's deadline; null for none (then <see cref="SchedulerSettings.DefaultDeadline"/>).</summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>Candidate models, by name; at least one, except for an <see cref="Ensemble"/> (none).</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Most requests of this task admitted at once (queued plus running); null for no limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Rate limit; null for none.</summary>
    public RateLimit? Rate { get; init; }

    /// <summary>Share of capacity against other tasks of the same class under contention. Default 1.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>The quality floor model selection honours (<c>quality: { metric, min }</c>); null for none.</summary>
    public QualityFloor? Quality { get; init; }

    /// <summary>The result cache of deterministic requests; null for none (the default).</summary>
    public ResultCacheSettings? Cache { get; init; }

    /// <summary>When set, the task is answered by these members at once instead of by <see cref="Models"/> (then empty).</summary>
    public EnsembleSettings? Ensemble { get; init; }

    /// <summary>True when the definition came from the config file.</summary>
    public bool FromConfig { get; init; }
}
