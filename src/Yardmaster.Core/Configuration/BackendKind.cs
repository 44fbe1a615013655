namespace Yardmaster.Core.Configuration;

/// <summary>How a model runs.</summary>
public enum BackendKind
{
    /// <summary>The project's own GGUF runtime, in the server's process.</summary>
    Builtin,

    /// <summary>A model-server command that Yardmaster starts, health-checks and stops (<c>yard model-server</c>, <c>llama-server</c>, <c>vllm serve</c>).</summary>
    Process,

    /// <summary>An OpenAI-compatible endpoint that already runs; never loaded or evicted.</summary>
    Http,

    /// <summary>A model-server command run as a long-lived Slurm job on a node of the cluster (<c>jobs.slurm</c>); routed to like <see cref="Http"/>.</summary>
    Slurm,

    /// <summary>A model-server command run as a Kubernetes Job on a node of the cluster (<c>jobs.kubernetes</c>); routed to like <see cref="Http"/>.</summary>
    Kubernetes,
}
