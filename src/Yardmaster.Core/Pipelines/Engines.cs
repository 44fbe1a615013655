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

    /// <summary>The engine's number in placement snapshots (<see cref="Placement.NodeResources.Engine"/>): its index in <see cref="All"/>; -1 for an unknown name.</summary>
    public static int Index(string engine) => engine switch
    {
        Local => 0,
        Slurm => 1,
        Kubernetes => 2,
        _ => -1,
    };

    /// <summary>
    /// The engine <paramref name="step"/> of <paramref name="pipeline"/> runs on: an inference step always on this machine
    /// (its requests go through the server's scheduler), else the step's <c>executor:</c>, the pipeline's, then
    /// <paramref name="serverDefault"/> (<c>jobs.executor</c>).
    /// </summary>
    public static string Of(StepDefinition step, PipelineDefinition pipeline, string serverDefault)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(pipeline);
        return step.Kind is StepKind.Inference or StepKind.Evaluate ? Local : step.Executor ?? pipeline.Executor ?? serverDefault;
    }
}
