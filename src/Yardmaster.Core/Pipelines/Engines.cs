namespace Yardmaster.Core.Pipelines;

/// <summary>The engines steps run on, as <c>executor:</c> names them and as <see cref="NodeCapacity.Engine"/> tags nodes.</summary>
public static class Engines
{
    /// <summary>This machine: shell steps as processes, container steps on Docker, inference steps on the server.</summary>
    public const string Local = "local";

    /// <summary>A Slurm cluster: each attempt is a batch job (<c>sbatch</c>).</summary>
    public const string Slurm = "slurm";

    /// <summary>A Kubernetes cluster: each attempt is a <c>batch/v1</c> Job.</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>Every name <c>executor:</c> accepts.</summary>
    public static IReadOnlyList<string> All { get; } = [Local, Slurm, Kubernetes];
}
