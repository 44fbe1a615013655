using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>The bounded tokenize the model server uses to refuse a prompt beyond the context without tokenizing all of it.</summary>
public class EncodeAtMostTests
{
    private const string Sentence = "Once upon a time, there was a little girl named Lily. She liked to play outside. ";

    public static TheoryData<string> Tokenizers => ["stories260K (SentencePiece)", "test vocabulary (byte-level BPE)"];

    private static ITokenizer Tokenizer(string name) => name.StartsWith("stories", StringComparison.Ordinal)
        ? SharedTokenizers.Stories260K
        : TestBpeVocabulary.Create();

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EncodeAtMost_TextWithinLimit_SameAsEncode(string name)
    {
        var tokenizer = Tokenizer(name);
        var text = string.Concat(Enumerable.Repeat(Sentence, 3));
        var all = tokenizer.Encode(text, tokenizer.AddBos, parseSpecial: true);

        Assert.Equal(all, tokenizer.EncodeAtMost(text, tokenizer.AddBos, parseSpecial: true, all.Length));
        Assert.Equal(all, tokenizer.EncodeAtMost(text, tokenizer.AddBos, parseSpecial: true, int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EncodeAtMost_OneTokenOverLimit_Null(string name)
    {
        var tokenizer = Tokenizer(name);
        var text = string.Concat(Enumerable.Repeat(Sentence, 3));
        var all = tokenizer.Encode(text, addBos: false, parseSpecial: false);

        Assert.Null(tokenizer.EncodeAtMost(text, addBos: false, parseSpecial: false, all.Length - 1));
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EncodeAtMost_MegabytesOfText_NullForAContextsWorth(string name)
    {
        var tokenizer = Tokenizer(name);
        var text = string.Concat(Enumerable.Repeat(Sentence, 100_000)); // about 8 MB

        Assert.Null(tokenizer.EncodeAtMost(text, tokenizer.AddBos, parseSpecial: true, 4096));
    }

    [Fact]
    public void EncodeAtMost_EmptyText_OnlyBos()
    {
        var tokenizer = SharedTokenizers.Stories260K;

        var ids = tokenizer.EncodeAtMost(string.Empty, addBos: true, parseSpecial: false, 1);
        Assert.NotNull(ids);
        Assert.Equal([tokenizer.BosId], ids);
        Assert.Null(tokenizer.EncodeAtMost(string.Empty, addBos: true, parseSpecial: false, 0));
    }
}
