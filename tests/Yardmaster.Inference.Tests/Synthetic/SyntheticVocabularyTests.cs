using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Synthetic;

public class SyntheticVocabularyTests
{
    [Fact]
    public void Builtin_Layout_ControlBytePiecesThenCharacters()
    {
        var metadata = SyntheticVocabulary.Builtin.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var tokens = metadata["tokenizer.ggml.tokens"].AsArray().As<string>();
        var types = metadata["tokenizer.ggml.token_type"].AsArray().As<int>();
        var scores = metadata["tokenizer.ggml.scores"].AsArray().As<float>();

        Assert.Equal(512, SyntheticVocabulary.Builtin.Count);
        Assert.Equal("llama", metadata["tokenizer.ggml.model"].AsString());
        Assert.Equal(new[] { "<unk>", "<s>", "</s>", "<0x00>" }, tokens[..4]);
        Assert.Equal("<0xFF>", tokens[258]);
        Assert.Equal(new[] { 2, 3, 3, 6 }, types[..4]);
        Assert.All(types[259..], t => Assert.Equal(1, t));
        Assert.Equal("\u2581t", tokens[259]);
        Assert.Contains("\u2581the", tokens);
        Assert.Contains("\u2581", tokens);
        Assert.Contains("~", tokens);
        Assert.Equal(tokens.Length, tokens.Distinct().Count());
        Assert.True(scores[259..].Zip(scores[260..]).All(p => p.First > p.Second));
        Assert.Equal(1, metadata["tokenizer.ggml.bos_token_id"].AsInt64());
        Assert.Equal(2, metadata["tokenizer.ggml.eos_token_id"].AsInt64());
        Assert.Equal(0, metadata["tokenizer.ggml.unknown_token_id"].AsInt64());
    }

    [Fact]
    public void Builtin_EveryMultiCharacterPiece_IsReachableByMergingAShorterPiece()
    {
        var tokens = SyntheticVocabulary.Builtin.Metadata.Single(kv => kv.Key == "tokenizer.ggml.tokens").Value.AsArray().As<string>();
        var set = tokens.ToHashSet();

        Assert.All(tokens[259..].Where(t => t.Length > 1), t => Assert.Contains(t[..^1], set));
    }

    [Fact]
    public void FromGguf_Stories260K_CopiesItsTokenizerKeys()
    {
        var vocabulary = SyntheticVocabulary.FromGguf(SharedModels.Stories260K);

        Assert.Equal(512, vocabulary.Count);
        Assert.All(vocabulary.Metadata, kv => Assert.StartsWith("tokenizer.", kv.Key, StringComparison.Ordinal));
        Assert.Contains(vocabulary.Metadata, kv => kv.Key == "tokenizer.ggml.scores");
    }

    [Fact]
    public async Task FromGguf_FileWithoutTokenizer_Throws()
    {
        using var dir = new TempDirectory();
        var writer = new GgufWriter();
        writer.AddMetadata("general.architecture", GgufValue.From("llama"));
        await writer.WriteFileAsync(dir.File("none.gguf"), CancellationToken.None);

        Assert.Throws<GgufFormatException>(() => SyntheticVocabulary.FromGguf(dir.File("none.gguf")));
    }
}
