using BenchmarkDotNet.Attributes;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Benchmarks.Tokenization;

/// <summary>
/// Encoding a 4,000-word prompt with the 32,000-token Llama-2 SentencePiece vocabulary and with the
/// 512-token stories260K one. Goal: well under 50 ms per prompt.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private ITokenizer _llama2 = null!;
    private ITokenizer _stories = null!;
    private string _prompt = "";

    [GlobalSetup]
    public void Setup()
    {
        _llama2 = Load("llama-2-tiny-random.gguf");
        _stories = Load("stories260K.gguf");
        _prompt = LongPrompt(4_000);
    }

    [Benchmark]
    public int EncodeLlama2() => _llama2.Encode(_prompt, addBos: true, parseSpecial: true).Length;

    [Benchmark]
    public int EncodeStories260K() => _stories.Encode(_prompt, addBos: true, parseSpecial: true).Length;

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
