using Yardmaster.Core.Configuration;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;

namespace Yardmaster.Server.Backends;

/// <summary>
/// A replica's memory before it loads: the declared <c>memory</c>, else the GGUF file (the weights, mapped)
/// plus the KV cache its slots take at its context length (read from the file's header), plus a child
/// process's own runtime. Replaced by the measurement once the replica is ready.
/// </summary>
internal static class ModelFootprint
{
    /// <summary>What a child process needs beyond the model (a .NET or C++ server's own runtime), a rough allowance.</summary>
    public const long ChildRuntimeBytes = 96L << 20;

    /// <summary>Context assumed when neither the definition nor the file says (the builtin's cap).</summary>
    public const int DefaultContext = 2048;

    public static long Estimate(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Memory is { } declared)
        {
            return declared;
        }

        if (model.Backend == BackendKind.Http)
        {
            return 0;
        }

        var runtime = model.Backend == BackendKind.Process ? ChildRuntimeBytes : 0;
        if (model.Path is not { } path || !File.Exists(path))
        {
            return (64L << 20) + runtime; // unknown: the load fails or the measurement corrects it
        }

        var file = new FileInfo(path).Length;
        try
        {
            using var gguf = GgufFile.Open(path);
            var config = LlamaConfig.FromGguf(gguf);
            var context = model.Context ?? Math.Min(DefaultContext, config.ContextLength);
            return file + (model.Slots * KvCache.BytesFor(config, context)) + runtime;
        }
        catch (Exception e) when (e is GgufFormatException or UnsupportedModelException or IOException or UnauthorizedAccessException)
        {
            return file + (file / 8 * model.Slots) + runtime; // not a llama GGUF we can read: a rough allowance
        }
    }
}
