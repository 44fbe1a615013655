using BenchmarkDotNet.Attributes;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Benchmarks.Tokenization;

/// <summary>
/// Encoding a 4,000-word prompt with the 32,000-token Llama-2 SentencePiece vocabulary and with the
/// 512-token stories260K one. Goal: well under 50 ms per prompt. And refusing a prompt beyond the context
/// with the bounded tokenize the model server uses (<see cref="ITokenizer.EncodeAtMost"/>): a 14 MiB prompt
/// against a 4,096-token context (goal: under 1 ms; tokenizing it all took 4.7 s and 650 MB), and the
/// 4,000-word prompt against a 2,048-token context (at most the cost of encoding it).
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private ITokenizer _llama2 = null!;
    private ITokenizer _stories = null!;
    private string _prompt = "";
    private string _huge = "";

    [GlobalSetup]
    public void Setup()
    {
        _llama2 = Load("llama-2-tiny-random.gguf");
        _stories = Load("stories260K.gguf");
        _prompt = LongPrompt(4_000);
        _huge = LongPrompt(2_400_000); // about 14 MiB
    }

    [Benchmark]
    public int EncodeLlama2() => _llama2.Encode(_prompt, addBos: true, parseSpecial: true).Length;

    [Benchmark]
    public int EncodeStories260K() => _stories.Encode(_prompt, addBos: true, parseSpecial: true).Length;

    [Benchmark]
    public bool RefuseHugePromptLlama2() => _llama2.EncodeAtMost(_huge, addBos: true, parseSpecial: true, 4095) is null;

    [Benchmark]
    public bool RefuseHugePromptStories260K() => _stories.EncodeAtMost(_huge, addBos: true, parseSpecial: true, 4095) is null;

    [Benchmark]
    public bool RefuseTwiceTheContextStories260K() => _stories.EncodeAtMost(_prompt, addBos: true, parseSpecial: true, 2047) is null;

    /// <summary>Deterministic English-like text of <paramref name="words"/> words with punctuation and newlines.</summary>
    public static string LongPrompt(int words)
    {
        string[] vocabulary =
        [
            "the", "scheduler", "places", "every", "job", "on", "a", "node", "with", "enough", "memory", "and", "checks",
            "deadlines", "before", "it", "admits", "new", "requests,", "while", "background", "pipelines", "wait", "for",
            "their", "turn.", "Models", "are", "loaded", "evicted", "when", "budgets", "change;", "tokens", "stream", "back",
            "quickly.\n", "Once", "upon", "time", "there", "was", "little", "girl", "named", "Lily.",
        ];
        var random = new Random(42);
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
    }

    private static ITokenizer Load(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Yardmaster.slnx")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory?.FullName ?? ".", "..", "shared", "models", name);
        using var file = GgufFile.Open(path);
        return TokenizerFactory.FromGguf(file);
    }
}
