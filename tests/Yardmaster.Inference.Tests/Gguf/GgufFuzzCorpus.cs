using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>
/// A valid GGUF file the fuzzer starts from: its bytes, the offsets of its header fields, and its parsed
/// metadata and tensors (for mutations that rewrite the file through <see cref="GgufWriter"/>).
/// </summary>
public sealed class GgufFuzzCorpus
{
    private static readonly Lazy<Task<Dictionary<string, GgufFuzzCorpus>>> _all = new(LoadAsync);

    private GgufFuzzCorpus(string name, byte[] bytes, long dataOffset, GgufCopy contents)
    {
        Name = name;
        Bytes = bytes;
        Fields = GgufFieldMap.Of(bytes);
        DataOffset = dataOffset;
        Contents = contents;
    }

    /// <summary>Names of the corpus files: the two shared models and stories260K rewritten with <c>general.alignment</c> 64.</summary>
    public static IReadOnlyList<string> Names { get; } = ["stories260K", "llama-2-tiny-random", "stories260K-align64"];

    public string Name { get; }

    public byte[] Bytes { get; }

    public GgufFieldMap Fields { get; }

    /// <summary>Where the tensor data starts: the bytes before it are the header and its padding.</summary>
    public long DataOffset { get; }

    /// <summary>The parsed file; <see cref="GgufCopy.Clone"/> it before changing it.</summary>
    public GgufCopy Contents { get; }

    public static async Task<GgufFuzzCorpus> GetAsync(string name) => (await _all.Value)[name];

    private static async Task<Dictionary<string, GgufFuzzCorpus>> LoadAsync()
    {
        var all = new Dictionary<string, GgufFuzzCorpus>(StringComparer.Ordinal);
        using var dir = new TempDirectory();
        foreach (var (name, path) in new[] { ("stories260K", SharedModels.Stories260K), ("llama-2-tiny-random", SharedModels.TinyRandomLlama) })
        {
            all[name] = Create(name, path);
        }

        var aligned = GgufCopy.Of(SharedModels.Stories260K);
        aligned.Alignment = 64;
        var alignedPath = dir.File("align64.gguf");
        await aligned.WriteFileAsync(alignedPath);
        all["stories260K-align64"] = Create("stories260K-align64", alignedPath);
        return all;
    }

    private static GgufFuzzCorpus Create(string name, string path)
    {
        using var file = GgufFile.Open(path);
        return new(name, File.ReadAllBytes(path), file.DataOffset, GgufCopy.Of(path));
    }
}
