using System.Text;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

public class SentencePieceTokenizerTests
{
    // Greedy output of stories260K from BOS (tests/fixtures/models/README.md), and its documented text.
    private static readonly int[] _storiesReferenceIds =
    [
        403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292,
        411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267,
        337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415,
    ];

    private const string StoriesReferenceText =
        " Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high";

    [Fact]
    public void FromGguf_Llama2_ReadsSpecialIdsAndDefaults()
    {
        var tokenizer = SharedTokenizers.Llama2;

        Assert.Equal(32_000, tokenizer.VocabularySize);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.True(tokenizer.AddBos);
        Assert.Equal("\u2581Hello", tokenizer.TokenText(15043));
    }

    [Theory]
    [InlineData(15043, " Hello")]
    [InlineData(13, "\n")]
    [InlineData(0, "<unk>")]
    [InlineData(1, "")]
    [InlineData(2, "")]
    public void TokenBytes_Llama2_GivesTheTokensText(int id, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(SharedTokenizers.Llama2.TokenBytes(id)));

    [Fact]
    public void TokenBytes_ByteToken_GivesTheSingleByte()
    {
        Assert.Equal(new byte[] { 0xF0 }, SharedTokenizers.Llama2.TokenBytes(0xF0 + 3).ToArray());
        Assert.Equal("<0xF0>", SharedTokenizers.Llama2.TokenText(0xF0 + 3));
    }

    [Fact]
    public void TokenBytes_OutsideVocabulary_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedTokenizers.Llama2.TokenBytes(32_000).Length);

    [Fact]
    public void IsEndOfGeneration_Llama2_OnlyEos()
    {
        Assert.True(SharedTokenizers.Llama2.IsEndOfGeneration(2));
        Assert.False(SharedTokenizers.Llama2.IsEndOfGeneration(1));
        Assert.False(SharedTokenizers.Llama2.IsEndOfGeneration(15043));
        Assert.False(SharedTokenizers.Llama2.IsEndOfGeneration(-1));
    }

    [Fact]
    public void Encode_Stories260K_GivesTheWordsOfTheReferenceOutput()
    {
        Assert.Equal([1, 403, 407, 261, 378], SharedTokenizers.Stories260K.Encode("Once upon a time", addBos: true, parseSpecial: false));

        // The decoded reference text starts with a space, which the space prefix doubles: "▁" then "▁Once".
        Assert.Equal([410, 403, 407, 261, 378], SharedTokenizers.Stories260K.Encode(" Once upon a time", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_Stories260KReferenceText_GivesTheReferenceIds() =>
        Assert.Equal(_storiesReferenceIds, SharedTokenizers.Stories260K.Encode(StoriesReferenceText[1..], addBos: false, parseSpecial: false));

    [Fact]
    public void TokenBytes_Stories260KReferenceIds_StreamTheReferenceText()
    {
        var decoder = new Utf8StreamDecoder();
        var text = new StringBuilder();
        foreach (var id in _storiesReferenceIds)
        {
            text.Append(decoder.Decode(SharedTokenizers.Stories260K.TokenBytes(id)));
        }

        Assert.Equal(StoriesReferenceText, text.Append(decoder.Flush()).ToString());
    }

    [Fact]
    public void Decode_Stories260KReferenceIds_FollowsLlamaCppLeadingSpaceRule()
    {
        // llama_detokenize drops the space prefix of the first token, unless BOS comes first.
        Assert.Equal(StoriesReferenceText[1..], SharedTokenizers.Stories260K.Decode(_storiesReferenceIds));
        Assert.Equal(StoriesReferenceText, SharedTokenizers.Stories260K.Decode([1, .. _storiesReferenceIds]));
    }

    [Fact]
    public void Encode_ParseSpecial_CutsOutControlTokensAndPrefixesTheFollowingText()
    {
        // llama.cpp adds the space prefix to every raw fragment that follows a special token.
        Assert.Equal([1, 15043, 2], SharedTokenizers.Llama2.Encode("<s>Hello</s>", addBos: false, parseSpecial: true));
        Assert.Equal([1, 15043, 2, 3186], SharedTokenizers.Llama2.Encode("Hello</s>world", addBos: true, parseSpecial: true));
    }

    [Fact]
    public void Encode_WithoutParseSpecial_SpellsControlTokenTexts()
    {
        var ids = SharedTokenizers.Llama2.Encode("<s>Hello</s>", addBos: false, parseSpecial: false);

        Assert.DoesNotContain(1, ids);
        Assert.DoesNotContain(2, ids);
        Assert.Equal("<s>Hello</s>", SharedTokenizers.Llama2.Decode(ids));
    }

    [Fact]
    public void Encode_UnknownTokenTextWithParseSpecial_BecomesUnk() =>
        Assert.Equal([0, 15043], SharedTokenizers.Llama2.Encode("<unk>Hello", addBos: false, parseSpecial: true));

    [Fact]
    public void Encode_EmptyText_GivesBosOrNothing()
    {
        Assert.Equal([1], SharedTokenizers.Llama2.Encode("", addBos: true, parseSpecial: true));
        Assert.Empty(SharedTokenizers.Llama2.Encode("", addBos: false, parseSpecial: true));
    }

    [Fact]
    public void Encode_Emoji_FallsBackToByteTokens() =>
        Assert.Equal([29871, 0xF0 + 3, 0x9F + 3, 0xA6 + 3, 0x99 + 3], SharedTokenizers.Llama2.Encode("\U0001F999", addBos: false, parseSpecial: false));

    [Fact]
    public void Encode_LoneSurrogate_IsEncodedAsReplacementCharacter()
    {
        var lone = SharedTokenizers.Llama2.Encode("a\uD800b", addBos: false, parseSpecial: false);
        var replaced = SharedTokenizers.Llama2.Encode("a\uFFFDb", addBos: false, parseSpecial: false);

        Assert.Equal(replaced, lone);
    }

    [Fact]
    public void Encode_LongPrompt_IsLinearAndRoundTrips()
    {
        var words = new[] { "The", "scheduler", "places", "jobs", "on", "nodes,", "weighing", "memory", "and", "deadlines.\n" };
        var text = string.Join(' ', Enumerable.Range(0, 4_000).Select(i => words[i % words.Length]));

        var ids = SharedTokenizers.Llama2.Encode(text, addBos: true, parseSpecial: false);

        Assert.InRange(ids.Length, 4_000, 12_000);
        Assert.Equal(" " + text, SharedTokenizers.Llama2.Decode(ids));
    }
}
