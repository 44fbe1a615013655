using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

public sealed class TokenizerFactoryTests : IDisposable
{
    private readonly List<string> _paths = [];

    public void Dispose() => _paths.ForEach(File.Delete);

    [Fact]
    public void FromGguf_NoTokenizerModel_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(new TestGguf().Add("general.architecture", "llama")));

        Assert.Contains("tokenizer.ggml.model", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void FromGguf_UnknownModel_ThrowsNamingIt()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Spm(model: "bert-xyz")));

        Assert.Contains("bert-xyz", error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.ggml.model", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void FromGguf_ScoresLengthMismatch_ThrowsNamingScores()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Spm(scores: [0f, -1f])));

        Assert.Equal("metadata[\"tokenizer.ggml.scores\"]", error.Field);
        Assert.Contains("2 entries for 5 tokens", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokenizer.ggml.bos_token_id", 5)]
    [InlineData("tokenizer.ggml.eos_token_id", 99)]
    [InlineData("tokenizer.ggml.unknown_token_id", -7)]
    public void FromGguf_SpecialIdOutsideVocabulary_ThrowsNamingTheKey(string key, int id)
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Spm().Add(key, id)));

        Assert.Equal($"metadata[\"{key}\"]", error.Field);
    }

    [Fact]
    public void FromGguf_MissingTokens_ThrowsNamingTokens()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(new TestGguf().Add("tokenizer.ggml.model", "llama")));

        Assert.Equal("metadata[\"tokenizer.ggml.tokens\"]", error.Field);
    }

    [Fact]
    public void FromGguf_DuplicateToken_ThrowsNamingTokens()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Spm(tokens: ["<unk>", "<s>", "</s>", "a", "a"])));

        Assert.Equal("metadata[\"tokenizer.ggml.tokens\"]", error.Field);
    }

    [Fact]
    public void FromGguf_MistypedTokenTypes_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Spm().Add("tokenizer.ggml.token_type", new float[5])));

        Assert.Equal("metadata[\"tokenizer.ggml.token_type\"]", error.Field);
    }

    [Fact]
    public void FromGguf_SentencePieceWithDefaults_UsesLlamaCppDefaults()
    {
        var tokenizer = Load(Spm());

        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.True(tokenizer.AddBos);
        Assert.Equal([1, 4, 3], tokenizer.Encode("a", addBos: true, parseSpecial: false));
    }

    [Fact]
    public void FromGguf_NoSpacePrefixAndNoBos_AreHonoured()
    {
        var tokenizer = Load(Spm().Add("tokenizer.ggml.add_space_prefix", false).Add("tokenizer.ggml.add_bos_token", false));

        Assert.False(tokenizer.AddBos);
        Assert.Equal([3], tokenizer.Encode("a", addBos: false, parseSpecial: false));
        Assert.Equal("a", tokenizer.Decode([3]));
    }

    [Fact]
    public void FromGguf_EndOfTurnId_EndsGeneration()
    {
        var tokenizer = Load(Spm().Add("tokenizer.ggml.eot_token_id", 4u));

        Assert.True(tokenizer.IsEndOfGeneration(4));
        Assert.True(tokenizer.IsEndOfGeneration(2));
        Assert.False(tokenizer.IsEndOfGeneration(3));
    }

    [Fact]
    public void FromGguf_Gpt2_BuildsByteLevelBpe()
    {
        var tokenizer = Load(Gpt2().Add("tokenizer.ggml.pre", "llama-bpe").Add("tokenizer.ggml.bos_token_id", TestBpeVocabulary.Id("<|endoftext|>")));

        Assert.True(tokenizer.AddBos);
        Assert.Equal([TestBpeVocabulary.Id("Hello"), TestBpeVocabulary.Id("\u0120world")], tokenizer.Encode("Hello world", addBos: false, parseSpecial: false));
        Assert.Equal(-1, tokenizer.EosId);
        Assert.True(tokenizer.IsEndOfGeneration(TestBpeVocabulary.Id("<|im_end|>")));
    }

    [Fact]
    public void FromGguf_Gpt2WithoutMerges_ThrowsNamingMerges()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(new TestGguf().Add("tokenizer.ggml.model", "gpt2").Add("tokenizer.ggml.tokens", TestBpeVocabulary.Tokens)));

        Assert.Equal("metadata[\"tokenizer.ggml.merges\"]", error.Field);
    }

    [Fact]
    public void FromGguf_AddBosWithoutBosId_ThrowsNamingAddBos()
    {
        var error = Assert.Throws<GgufFormatException>(() => Load(Gpt2().Add("tokenizer.ggml.add_bos_token", true)));

        Assert.Equal("metadata[\"tokenizer.ggml.add_bos_token\"]", error.Field);
    }

    private static TestGguf Spm(string[]? tokens = null, float[]? scores = null, string model = "llama")
    {
        tokens ??= ["<unk>", "<s>", "</s>", "a", "\u2581"];
        return new TestGguf()
            .Add("tokenizer.ggml.model", model)
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", scores ?? tokens.Select(_ => 0f).ToArray())
            .Add("tokenizer.ggml.token_type", tokens.Select((_, i) => i switch { 0 => 2, 1 or 2 => 3, _ => 1 }).ToArray());
    }

    private static TestGguf Gpt2() => new TestGguf()
        .Add("tokenizer.ggml.model", "gpt2")
        .Add("tokenizer.ggml.tokens", TestBpeVocabulary.Tokens)
        .Add("tokenizer.ggml.merges", TestBpeVocabulary.Merges)
        .Add("tokenizer.ggml.token_type", TestBpeVocabulary.Tokens.Select(t => TestBpeVocabulary.Specials.Contains(t) ? 3 : 1).ToArray());

    private ITokenizer Load(TestGguf gguf)
    {
        var path = gguf.WriteTempFile();
        _paths.Add(path);
        using var file = GgufFile.Open(path);
        return TokenizerFactory.FromGguf(file);
    }
}
