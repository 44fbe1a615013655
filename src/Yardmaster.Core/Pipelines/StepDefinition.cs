using Yardmaster.Core.Execution;

namespace Yardmaster.Core.Pipelines;

/// <summary>One node of a pipeline. Exactly one body: <see cref="Run"/>, <see cref="Container"/>, <see cref="Inference"/> or <see cref="Evaluate"/>.</summary>
public sealed record StepDefinition
{
    /// <summary>Unique within its pipeline: letters, digits, '_' and '-'.</summary>
    public required string Id { get; init; }

    /// <summary>The ids of the steps that must succeed first.</summary>
    public IReadOnlyList<string> Needs { get; init; } = [];

    /// <summary>A shell command (<c>/bin/sh -c</c>), run by the <c>process</c> executor in the run's working directory.</summary>
    public string? Run { get; init; }

    /// <summary>A container, run by the <c>docker</c> executor with the run's working directory mounted.</summary>
    public ContainerSpec? Container { get; init; }

    /// <summary>A batch of inference requests sent through the request scheduler at the pipeline's priority.</summary>
    public InferenceStepSpec? Inference { get; init; }

    /// <summary>A dataset asked of models through the request scheduler, scored, and recorded as their quality.</summary>
    public EvaluateStepSpec? Evaluate { get; init; }

    /// <summary>What it reserves on a node while it runs.</summary>
    public ResourceRequest Resources { get; init; } = ResourceRequest.Default;

    /// <summary>
    /// <c>resources.cpu_limit</c>: the most CPU the step may use, in millicores, enforced as a hard cap (a CFS quota for a
    /// process step, <c>NanoCpus</c> for a container, <c>limits.cpu</c> on Kubernetes); null for none, when the step may use
    /// idle cores beyond <see cref="ResourceRequest.CpuMillis"/> at its class's weight.
    /// </summary>
    public long? CpuLimitMillis { get; init; }

    /// <summary>An attempt running longer is killed (its whole process group) and fails; null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How failed attempts are retried. Default: not at all.</summary>
    public RetryPolicy Retries { get; init; } = RetryPolicy.None;

    /// <summary>Environment variables of this step, over the pipeline's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Files (relative to the run's working directory) the step must leave behind; a success without them fails.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>Whether more urgent work (a step of a higher class, or serving claiming memory back) may stop it; unset: <see cref="PreemptibleIn"/>.</summary>
    public bool? Preemptible { get; init; }

    /// <summary>Whether the step may be stopped for more urgent work in a pipeline of class <paramref name="pipeline"/>: <see cref="Preemptible"/> when set, else true for <c>low</c> and <c>batch</c> pipelines.</summary>
    public bool PreemptibleIn(PriorityClass pipeline) => Preemptible ?? pipeline >= PriorityClass.Low;

    /// <summary>
    /// <c>executor:</c> where the step runs: <c>local</c> (this machine: <c>process</c> for a shell step, <c>docker</c> for a
    /// container), <c>slurm</c> or <c>kubernetes</c>; null for the pipeline's (<see cref="PipelineDefinition.Executor"/>), then
    /// the server's (<c>jobs.executor</c>). Inference steps always run on the server.
    /// </summary>
    public string? Executor { get; init; }

    /// <summary>
    /// <c>when:</c> an expression over earlier steps' outputs and states (<see cref="Conditions.Condition"/>); the step runs
    /// only when it holds, else it is <see cref="StepState.Skipped"/>. Null to always run.
    /// </summary>
    public string? When { get; init; }

    /// <summary><c>map:</c> run the step once per item (<see cref="MapSpec"/>); null for once.</summary>
    public MapSpec? Map { get; init; }

    /// <summary>The kind of body, for executors and messages.</summary>
    public StepKind Kind => Container is not null ? StepKind.Container : Inference is not null ? StepKind.Inference : Evaluate is not null ? StepKind.Evaluate : StepKind.Run;
}
