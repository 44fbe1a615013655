using Yardmaster.Core.Configuration;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>
/// A replica's memory before it loads: the declared <c>memory</c>, else the GGUF file (the weights, mapped)
/// plus the KV cache its slots take at its context length (read from the file's header), plus a child
/// process's own runtime. Replaced by the measurement once the replica is ready. A file that is missing or
/// not a model file is an error value (<see cref="ModelFileCheck"/>), never a guessed size.
/// </summary>
internal static class ModelFootprint
{
    /// <summary>What a child process needs beyond the model (a .NET or C++ server's own runtime), a rough allowance.</summary>
    public const long ChildRuntimeBytes = 96L << 20;

    /// <summary>Context assumed when neither the definition nor the file says (the builtin's cap).</summary>
    public const int DefaultContext = 2048;

    public static FootprintEstimate Estimate(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Backend.OnCluster())
        {
            // Nothing on this machine's devices: a cluster job reserves its memory (declared or not) on its node.
            return FootprintEstimate.Of(0);
        }

        if (model.Memory is { } declared)
        {
            return FootprintEstimate.Of(declared);
        }

        if (model.Backend == BackendKind.Http)
        {
            // Nothing on this machine's devices: a remote endpoint.
            return FootprintEstimate.Of(0);
        }

        var runtime = model.Backend == BackendKind.Process ? ChildRuntimeBytes : 0;
        if (string.IsNullOrWhiteSpace(model.Path))
        {
            // A process model without a file (its command finds its own model): the child's runtime, then its measured RSS.
            return model.Backend == BackendKind.Process ? FootprintEstimate.Of(runtime) : FootprintEstimate.Failed("a builtin model needs path, the GGUF file");
        }

        if (ModelFileCheck.Check(model) is { } problem)
        {
            return FootprintEstimate.Failed(problem);
        }

        var path = model.Path;
        var file = new FileInfo(path).Length;
        try
        {
            using var gguf = GgufFile.Open(path);
            var config = LlamaConfig.FromGguf(gguf);
            var context = model.Context ?? Math.Min(DefaultContext, config.ContextLength);
            return FootprintEstimate.Of(file + (model.Slots * KvCache.BytesFor(config, context)) + runtime);
        }
        catch (Exception e) when (e is GgufFormatException or UnsupportedModelException or IOException or UnauthorizedAccessException)
        {
            // A child may serve a GGUF the builtin runtime cannot (another architecture): a rough allowance. The builtin cannot load it at all.
            return model.Backend == BackendKind.Process
                ? FootprintEstimate.Of(file + (file / 8 * model.Slots) + runtime)
                : FootprintEstimate.Failed($"{path}: {e.Message}");
        }
    }
}
