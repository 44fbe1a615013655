namespace Yardmaster.Core.Configuration;

/// <summary><c>jobs:</c> how pipeline steps are placed and run.</summary>
public sealed record JobSettings
{
    /// <summary><c>placement</c>: <c>best-fit</c> (default) or <c>first-fit</c>.</summary>
    public string Placement { get; init; } = "best-fit";

    /// <summary><c>backfill</c>: small steps may use gaps ahead of a waiting large step. Default true.</summary>
    public bool Backfill { get; init; } = true;

    /// <summary>
    /// <c>cpu_weights</c>: each local step runs in the CPU cgroup of its priority class, weighted against the server's own
    /// threads (cgroup v1 <c>cpu.shares</c>: critical 1024, as much as one server thread, high 512, normal 256, low 64,
    /// batch 16), so that the kernel slices the cores in favour of online work without starving any step. Default true
    /// (where a cgroup v1 cpu controller is writable).
    /// </summary>
    public bool CpuWeights { get; init; } = true;

    /// <summary><c>max_running</c>: steps running at once over all runs. Default 256.</summary>
    public int MaxRunning { get; init; } = 256;

    /// <summary><c>stop_grace</c>: between SIGTERM and SIGKILL for a preempted, cancelled or timed-out step. Default 10 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>docker.enabled</c>: run <c>container:</c> steps on the Docker engine. Default true (when its socket exists).</summary>
    public bool DockerEnabled { get; init; } = true;

    /// <summary><c>docker.socket</c>: the engine's unix socket. Default <c>/var/run/docker.sock</c>.</summary>
    public string DockerSocket { get; init; } = "/var/run/docker.sock";

    /// <summary>
    /// <c>allowed_dirs</c>: folders (absolute, existing) a pipeline's <c>workdir</c> and an <c>inference:</c> step's
    /// <c>input</c> and <c>output</c> may name, besides the run's own folder. Default none.
    /// </summary>
    public IReadOnlyList<string> AllowedDirs { get; init; } = [];

    /// <summary><c>executor</c>: where steps run unless their pipeline or they say otherwise (<c>local</c>, <c>slurm</c>, <c>kubernetes</c>). Default <c>local</c>.</summary>
    public string Executor { get; init; } = Pipelines.Engines.Local;

    /// <summary><c>slurm:</c> the Slurm cluster; null when not configured (then <c>executor: slurm</c> is refused).</summary>
    public SlurmSettings? Slurm { get; init; }

    /// <summary><c>kubernetes:</c> the Kubernetes cluster; null when not configured (then <c>executor: kubernetes</c> is refused).</summary>
    public KubernetesSettings? Kubernetes { get; init; }
}
