using System.Text;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

public class Gpt2BpeTokenizerTests
{
    private static readonly Gpt2BpeTokenizer _tokenizer = TestBpeVocabulary.Create();

    private static int Id(string text) => TestBpeVocabulary.Id(text);

    [Fact]
    public void Encode_Words_MergeByRankIntoVocabularyTokens() =>
        Assert.Equal([Id("Hello"), Id("\u0120world")], _tokenizer.Encode("Hello world", addBos: false, parseSpecial: false));

    [Fact]
    public void Encode_Spaces_MapToGAndNewlinesToC()
    {
        Assert.Equal([Id("\u0120"), Id("\u0120world")], _tokenizer.Encode("  world", addBos: false, parseSpecial: false));
        Assert.Equal([Id("\u010A\u010A")], _tokenizer.Encode("\n\n", addBos: false, parseSpecial: false));
        Assert.Equal([Id("\u0120\u0120"), Id("\u0120")], _tokenizer.Encode("   ", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_Emoji_GivesOneTokenPerUtf8Byte() =>
        Assert.Equal([0xF0, 0x9F, 0xA6, 0x99], _tokenizer.Encode("\U0001F999", addBos: false, parseSpecial: false));

    [Fact]
    public void Encode_LowerRankMergesFirst()
    {
        // "b c" has rank 11, "a b" rank 12: "abc" becomes "a" + "bc" although "ab" is also a token.
        Assert.Equal([Id("a"), Id("bc")], _tokenizer.Encode("abc", addBos: false, parseSpecial: false));

        var reversed = Gpt2BpeTokenizer.Create(TestBpeVocabulary.Tokens, ["a b", "b c"], pre: "gpt-2");
        Assert.Equal([Id("ab"), Id("c")], reversed.Encode("abc", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_EqualRanks_MergeLeftmostFirst() =>
        Assert.Equal([Id("aa"), Id("aa"), Id("a")], _tokenizer.Encode("aaaaa", addBos: false, parseSpecial: false));

    [Fact]
    public void Encode_MergedTokens_MergeAgain() =>
        Assert.Equal([Id("123"), Id("\u0120"), Id("4")], _tokenizer.Encode("123 4", addBos: false, parseSpecial: false));

    [Fact]
    public void Encode_ParseSpecial_CutsOutControlTokens()
    {
        var ids = _tokenizer.Encode("<|im_start|>user\nHello<|im_end|>", addBos: false, parseSpecial: true);

        Assert.Equal(Id("<|im_start|>"), ids[0]);
        Assert.Equal(Id("<|im_end|>"), ids[^1]);
        Assert.Equal("user\nHello", _tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_WithoutParseSpecial_SpellsControlTokensButCutsUserDefined()
    {
        var ids = _tokenizer.Encode("<|im_end|><tool>", addBos: false, parseSpecial: false);

        Assert.DoesNotContain(Id("<|im_end|>"), ids);
        Assert.Equal(Id("<tool>"), ids[^1]);
        Assert.Equal("<|im_end|><tool>", _tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_AddBos_PrependsBos() =>
        Assert.Equal([Id("<|endoftext|>"), Id("Hello")], _tokenizer.Encode("Hello", addBos: true, parseSpecial: false));

    [Fact]
    public void TokenBytes_MapsByteCharactersBack()
    {
        Assert.Equal(" world", Encoding.UTF8.GetString(_tokenizer.TokenBytes(Id("\u0120world"))));
        Assert.Equal("\n\n", Encoding.UTF8.GetString(_tokenizer.TokenBytes(Id("\u010A\u010A"))));
        Assert.Equal(new byte[] { 0xF0 }, _tokenizer.TokenBytes(0xF0).ToArray());
        Assert.Equal(0, _tokenizer.TokenBytes(Id("<|im_end|>")).Length);
        Assert.Equal("<tool>", Encoding.UTF8.GetString(_tokenizer.TokenBytes(Id("<tool>"))));
    }

    [Fact]
    public void IsEndOfGeneration_EosAndEndOfTurnTexts()
    {
        Assert.True(_tokenizer.IsEndOfGeneration(Id("<|endoftext|>")));
        Assert.True(_tokenizer.IsEndOfGeneration(Id("<|im_end|>")));
        Assert.False(_tokenizer.IsEndOfGeneration(Id("<|im_start|>")));
        Assert.False(_tokenizer.IsEndOfGeneration(Id("Hello")));
    }

    [Fact]
    public void Create_PreTokenizerDefaults_FollowLlamaCpp()
    {
        Assert.False(TestBpeVocabulary.Create("gpt-2").AddBos);
        Assert.True(TestBpeVocabulary.Create("llama-bpe").AddBos);
        Assert.Equal("llama3", TestBpeVocabulary.Create("llama-bpe").PreTokenizerName);
        Assert.Equal("qwen2", TestBpeVocabulary.Create("qwen2").PreTokenizerName);
        Assert.Equal("default", TestBpeVocabulary.Create(null).PreTokenizerName);
        Assert.Equal("gpt2", TestBpeVocabulary.Create("something-new").PreTokenizerName);
    }

    [Fact]
    public void Encode_Llama3IgnoreMerges_TakesWholeWordTokens()
    {
        // "Hell o" alone cannot form "Hello" without "He ll"; with ignore_merges the whole word is looked up first.
        var partial = Gpt2BpeTokenizer.Create(TestBpeVocabulary.Tokens, ["H e"], pre: "llama-bpe", ids: new SpecialTokenIds(-1, -1, -1), addBos: false);
        var gpt2 = Gpt2BpeTokenizer.Create(TestBpeVocabulary.Tokens, ["H e"], pre: "gpt-2");

        Assert.Equal([Id("Hello")], partial.Encode("Hello", addBos: false, parseSpecial: false));
        Assert.Equal([Id("He"), Id("l"), Id("l"), Id("o")], gpt2.Encode("Hello", addBos: false, parseSpecial: false));
    }
}
