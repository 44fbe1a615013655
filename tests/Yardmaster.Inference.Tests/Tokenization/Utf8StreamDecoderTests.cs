using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

public class Utf8StreamDecoderTests
{
    [Fact]
    public void Decode_EmojiOneByteAtATime_EmitsNothingUntilComplete()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("", decoder.Decode([0xF0]));
        Assert.Equal("", decoder.Decode([0x9F]));
        Assert.Equal("", decoder.Decode([0xA6]));
        Assert.Equal("\U0001F999", decoder.Decode([0x99]));
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void Decode_CompleteAndPartialCharacters_EmitsTheCompleteOnes()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("ab", decoder.Decode([(byte)'a', (byte)'b', 0xE2, 0x82]));
        Assert.Equal("\u20AC!", decoder.Decode([0xAC, (byte)'!']));
    }

    [Fact]
    public void Decode_InvalidByte_BecomesReplacementCharacter()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("\uFFFDa", decoder.Decode([0xFF, (byte)'a']));
        Assert.Equal("\uFFFD", decoder.Decode([0x80]));
    }

    [Fact]
    public void Decode_SequenceThatCannotComplete_BecomesReplacementCharacterOnceItIsCertain()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("", decoder.Decode([0xF0, 0x9F]));
        Assert.Equal("\uFFFDA", decoder.Decode([(byte)'A']));
    }

    [Fact]
    public void Flush_HeldBackBytes_BecomeReplacementCharacter()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("x", decoder.Decode([(byte)'x', 0xE2, 0x82]));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("y", decoder.Decode([(byte)'y']));
    }

    [Fact]
    public void Decode_Llama2ByteTokensOfAnEmoji_EmitsTheEmojiWithTheLastToken()
    {
        var tokenizer = SharedTokenizers.Llama2;
        var decoder = new Utf8StreamDecoder();

        var pieces = tokenizer.Encode("\U0001F999", addBos: false, parseSpecial: false).Select(id => decoder.Decode(tokenizer.TokenBytes(id))).ToArray();

        Assert.Equal([" ", "", "", "", "\U0001F999"], pieces);
    }
}
