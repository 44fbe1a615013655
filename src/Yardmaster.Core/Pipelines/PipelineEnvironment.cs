namespace Yardmaster.Core.Pipelines;

/// <summary>What a pipeline is validated against: the nodes it may run on and what this scheduler can run.</summary>
public sealed record PipelineEnvironment
{
    /// <summary>The nodes of the ledger; a step must fit in at least one.</summary>
    public IReadOnlyList<NodeCapacity> Nodes { get; init; } = [];

    /// <summary><c>jobs.executor</c>: the engine of steps whose pipeline and themselves name none (<see cref="Engines.Local"/> by default).</summary>
    public string DefaultExecutor { get; init; } = Engines.Local;

    /// <summary>The container engine steps with <c>container:</c> run on (e.g. "docker at /var/run/docker.sock"); null when none is configured.</summary>
    public string? ContainerEngine { get; init; }

    /// <summary><c>pool.serving_reserve</c>: memory of the first node (this machine) steps that may not be preempted never get.</summary>
    public long ServingReserve { get; init; }

    /// <summary>The inference tasks <c>inference:</c> steps may name; null when inference steps cannot run here (no server).</summary>
    public IReadOnlyCollection<string>? InferenceTasks { get; init; }

    /// <summary>Folders (<c>jobs.allowed_dirs</c>) a <c>workdir</c> and an inference step's <c>input</c> and <c>output</c> may name besides the run's folder.</summary>
    public IReadOnlyList<string> AllowedDirectories { get; init; } = [];

    /// <summary>
    /// True for an embedded run (<c>yard run FILE</c>): the pipeline file's own folder counts as the run's folder, as its
    /// user runs their own file. False on a server, where the file name is only a label a client sent.
    /// </summary>
    public bool SourceFolderAllowed { get; init; }
}
