using Yardmaster.Core.Placement;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>Settings of the <see cref="JobScheduler"/> (<c>jobs:</c> in yard.yaml).</summary>
public sealed class JobSchedulerOptions
{
    /// <summary>Where runs keep their working directories and attempt logs: <c>RUNS/r42/work</c>, <c>RUNS/r42/attempts/step.1/</c>. Required.</summary>
    public required string RunsDirectory { get; init; }

    /// <summary><c>jobs.executor</c>: the engine of steps whose pipeline and themselves name none.</summary>
    public string DefaultExecutor { get; init; } = Core.Pipelines.Engines.Local;

    /// <summary>
    /// Engines that queue and place work themselves (<c>jobs.slurm.placement: slurm</c>), each with the most attempts
    /// handed to it at once: their steps skip the placement pass and go to the engine as soon as they are ready.
    /// Default none.
    /// </summary>
    public IReadOnlyDictionary<string, int> EngineQueues { get; init; } = new Dictionary<string, int>();

    /// <summary>The placement policy's name. Default <c>best-fit</c>.</summary>
    public string Placement { get; init; } = PlacementPolicies.BestFit;

    /// <summary>Whether small steps may use gaps ahead of a waiting large step (EASY backfill). Default true.</summary>
    public bool Backfill { get; init; } = true;

    /// <summary>Steps running at once over all runs. Default 256.</summary>
    public int MaxRunning { get; init; } = 256;

    /// <summary>How long a stopped step (preempted, cancelled, timed out) has between SIGTERM and SIGKILL. Default 10 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The predicted duration of a step without history. Default 30 s.</summary>
    public TimeSpan DefaultDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The inference tasks <c>inference:</c> steps may name (read at each validation); null when this scheduler runs no inference steps (no server, no <c>inference</c> executor).</summary>
    public Func<IReadOnlyCollection<string>>? InferenceTasks { get; init; }

    /// <summary>Weight of the newest sample in the duration estimate (an exponentially weighted mean). Default 0.3.</summary>
    public double DurationWeight { get; init; } = 0.3;

    /// <summary><c>jobs.allowed_dirs</c>: folders a <c>workdir</c> and inference steps' files may name besides the run's folder. Default none.</summary>
    public IReadOnlyList<string> AllowedDirectories { get; init; } = [];

    /// <summary>Whether a pipeline file's own folder counts as its runs' folder: true for an embedded <c>yard run FILE</c>, false (default) on a server.</summary>
    public bool SourceFolderAllowed { get; init; }

    /// <summary>The first delay before a failed store write (a full disk) is tried again; it doubles on each failure. Default 100 ms.</summary>
    public TimeSpan StoreRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two tries of a failed store write. Default 5 s.</summary>
    public TimeSpan StoreRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);
}
