using System.Globalization;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

public class BpePreTokenizerTests
{
    public static TheoryData<string?, string, string[]> Cases => new()
    {
        { "gpt-2", "Hello world's 123 !!", ["Hello", " world", "'s", " 123", " !!"] },
        { "gpt-2", "a  b\n\nc ", ["a", " ", " b", "\n", "\n", "c", " "] },
        { "gpt-2", "\U0001F999\U0001F999 ok", ["\U0001F999\U0001F999", " ok"] },
        { "llama-bpe", "Hello world's 12345 !!\n\n", ["Hello", " world", "'s", " ", "123", "45", " !!\n\n"] },
        { "llama-bpe", "I'VE (normal)\n  x", ["I", "'VE", " (", "normal", ")\n", " ", " x"] },
        { "qwen2", "abc 2024", ["abc", " ", "2", "0", "2", "4"] },

        // llama.cpp's "default" (also used when tokenizer.ggml.pre is missing): four expressions in turn.
        { "default", "Hello, world! 12345", ["Hello", ",", " world", "!", " ", "123", "45"] },

        // Letters outside the BMP are letters (U+1D400 MATHEMATICAL BOLD CAPITAL A), not punctuation.
        { "gpt-2", "a \U0001D400\U0001D401c!", ["a", " \U0001D400\U0001D401c", "!"] },
        { "llama-bpe", "x\U00020000\U00020001 \U0001F680", ["x\U00020000\U00020001", " \U0001F680"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_Text_GivesLlamaCppWords(string? pre, string text, string[] expected)
    {
        var words = new List<(int Start, int Length)>();

        BpePreTokenizer.FromName(pre).Split(text, 0, text.Length, words);

        Assert.Equal(expected, words.Select(w => text.Substring(w.Start, w.Length)));
    }

    [Fact]
    public void Split_Fragment_ReportsPositionsInTheWholeText()
    {
        var words = new List<(int Start, int Length)>();

        BpePreTokenizer.FromName("gpt-2").Split("<x>Hi there", 3, 8, words);

        Assert.Equal([(3, 2), (5, 6)], words);
    }

    [Fact]
    public void StandIn_EveryCategory_HasThatCategory()
    {
        foreach (var category in Enum.GetValues<UnicodeCategory>().Where(c => c != UnicodeCategory.Surrogate))
        {
            var standIn = CodePointCollapse.StandIn(category);

            Assert.Equal(category, CharUnicodeInfo.GetUnicodeCategory(standIn));
            Assert.True(standIn > 0x7F);
        }
    }
}
