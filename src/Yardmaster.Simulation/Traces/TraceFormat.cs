namespace Yardmaster.Simulation.Traces;

/// <summary>The trace formats <c>yard simulate</c> and <c>yard bench replay</c> read.</summary>
public enum TraceFormat
{
    /// <summary>The Azure LLM inference trace: <c>TIMESTAMP,ContextTokens,GeneratedTokens</c> (also <c>yard history export --format csv</c>).</summary>
    AzureLlm,

    /// <summary>Mooncake's JSONL: <c>timestamp</c> (ms), <c>input_length</c>, <c>output_length</c>, <c>hash_ids</c>.</summary>
    Mooncake,

    /// <summary>Alibaba's GenAI LoRA request trace (v2026): one row per request naming its base model.</summary>
    AlibabaGenAi,

    /// <summary>Alibaba's GPU cluster trace (v2023, openb): a pod list, with the node list given by <c>--nodes</c>.</summary>
    AlibabaGpu,

    /// <summary>Yardmaster's own request log as <c>yard history export --format jsonl</c> writes it.</summary>
    Yard,
}

/// <summary>The names of <see cref="TraceFormat"/> on the command line.</summary>
public static class TraceFormats
{
    /// <summary>Every name, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["azure-llm", "mooncake", "alibaba-genai", "alibaba-gpu", "yard"];

    /// <summary>The format named <paramref name="name"/>; null (with the known names in <paramref name="error"/>) for another.</summary>
    public static TraceFormat? Parse(string name, out string? error)
    {
        error = null;
        TraceFormat? format = name switch
        {
            "azure-llm" => TraceFormat.AzureLlm,
            "mooncake" => TraceFormat.Mooncake,
            "alibaba-genai" => TraceFormat.AlibabaGenAi,
            "alibaba-gpu" => TraceFormat.AlibabaGpu,
            "yard" => TraceFormat.Yard,
            _ => null,
        };
        if (format is null)
        {
            error = $"unknown trace format '{name}'; known: {string.Join(", ", Names)}";
        }

        return format;
    }

    /// <summary>The command-line name of <paramref name="format"/>.</summary>
    public static string Name(TraceFormat format) => Names[(int)format];
}
