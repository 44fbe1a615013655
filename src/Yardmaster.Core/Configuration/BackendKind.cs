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
}
