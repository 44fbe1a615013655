namespace Yardmaster.Core.Execution;

/// <summary>Everything an executor needs to run one attempt of a step.</summary>
public sealed record StepLaunch
{
    /// <summary>Unique and safe in file and container names, e.g. <c>r42.prepare.1</c>: letters, digits, '.', '_' and '-'.</summary>
    public required string AttemptId { get; init; }

    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The step's id in its pipeline.</summary>
    public required string StepId { get; init; }

    /// <summary>1 for the first try.</summary>
    public required int Attempt { get; init; }

    /// <summary>The shell command of a <c>run:</c> step (run by <c>/bin/sh -c</c>); null for a container step.</summary>
    public string? Command { get; init; }

    /// <summary>The container of a <c>container:</c> step; null for a shell step.</summary>
    public ContainerSpec? Container { get; init; }

    /// <summary>The requests of an <c>inference:</c> step; null otherwise.</summary>
    public Pipelines.InferenceStepSpec? Inference { get; init; }

    /// <summary>For an <c>evaluate:</c> step, what to ask, of whom, and how to score; null otherwise.</summary>
    public Pipelines.EvaluateStepSpec? Evaluate { get; init; }

    /// <summary>The pipeline's class: inference requests are sent at it; other executors may map it (nice, QoS).</summary>
    public PriorityClass Priority { get; init; } = PriorityClass.Normal;

    /// <summary>Extra environment variables, on top of the scheduler's own environment (process) or the image's (docker).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The run's shared working directory (exists); mounted at <see cref="ContainerSpec.WorkDir"/> in a container.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>This attempt's own directory for the executor's bookkeeping (pid, status, container id): unique to the attempt, created by the executor when it needs it.</summary>
    public required string AttemptDirectory { get; init; }

    /// <summary>The file stdout and stderr go to, appended, interleaved as written; its folder exists.</summary>
    public required string LogPath { get; init; }

    /// <summary>CPU in millicores (1000 = one core) the step holds on its node: a request (Kubernetes <c>requests.cpu</c>, Slurm <c>--cpus-per-task</c>), not a cap.</summary>
    public long CpuMillis { get; init; }

    /// <summary>
    /// A hard cap on the step's CPU in millicores (<c>resources.cpu_limit</c>); 0 for none. Enforced by each executor: a CFS
    /// quota of the attempt's cpu cgroup (process), <c>NanoCpus</c> (docker), <c>limits.cpu</c> (kubernetes); an executor that
    /// cannot enforce it fails the start rather than run the step uncapped.
    /// </summary>
    public long CpuLimitMillis { get; init; }

    /// <summary>Memory limit in bytes; 0 for none. Exceeding it kills the attempt and <see cref="StepExit.OomKilled"/> says so.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>The ledger node it was placed on (<c>local</c> for this machine; a Slurm or Kubernetes node's name).</summary>
    public string Node { get; init; } = Pipelines.Engines.Local;

    /// <summary>
    /// The step's <c>timeout</c>; null for none. The scheduler enforces it itself; a cluster executor also gives it to the
    /// engine as a safety net (<c>sbatch --time</c>, <c>activeDeadlineSeconds</c>) with a margin for the stop grace.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>GPU indexes placed for the attempt (<c>CUDA_VISIBLE_DEVICES</c>); empty for none.</summary>
    public IReadOnlyList<int> Gpus { get; init; } = [];
}
