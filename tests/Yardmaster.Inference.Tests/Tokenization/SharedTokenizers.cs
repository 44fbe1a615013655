using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>The tokenizers of the shared test models, loaded once per test run.</summary>
public static class SharedTokenizers
{
    private static readonly Lazy<ITokenizer> _llama2 = new(() => Load(SharedModels.TinyRandomLlama));
    private static readonly Lazy<ITokenizer> _stories = new(() => Load(SharedModels.Stories260K));

    /// <summary>The real 32,000-token Llama-2 SentencePiece vocabulary.</summary>
    public static ITokenizer Llama2 => _llama2.Value;

    /// <summary>The 512-token vocabulary of stories260K.</summary>
    public static ITokenizer Stories260K => _stories.Value;

    private static ITokenizer Load(string path)
    {
        using var file = GgufFile.Open(path);
        return TokenizerFactory.FromGguf(file);
    }
}
