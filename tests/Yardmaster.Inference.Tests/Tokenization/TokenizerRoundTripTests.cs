using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>
/// Decode(Encode(t)) gives t back (ITokenizer.Decode's contract): exactly without BOS, and with BOS after
/// the space that SentencePiece's prefix leaves, as llama.cpp's detokenizer does.
/// </summary>
public class TokenizerRoundTripTests
{
    private static readonly Dictionary<string, string> _texts = new()
    {
        ["ascii"] = "The quick brown fox jumps over the lazy dog, 42 times!",
        ["accented"] = "\u00C7a d\u00E9j\u00E0 vu, na\u00EFve fa\u00E7ade \u2014 \u0152uvre, \u0151\u0171 \u00DF",
        ["cjk"] = "\u6211\u60F3\u5728apple\u5DE5\u4F5C\uFF0C\u6771\u4EAC\u30BF\u30EF\u30FC \uD55C\uAD6D\uC5B4",
        ["emoji"] = "\U0001F999\U0001F680 \U0001F636\u200D\U0001F32B\uFE0F \U0001F44D\U0001F3FD ok",
        ["whitespace"] = "  a  b\t\tc\n\n d \r\n\t \u00A0e   ",
        ["empty"] = "",
        ["specials"] = "<s></s><unk><|im_end|>",
    };

    public static TheoryData<string> Tokenizers => ["llama2", "stories260K", "bpe"];

    public static TheoryData<string, string> Cases
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (var tokenizer in new[] { "llama2", "stories260K", "bpe" })
            {
                foreach (var kind in _texts.Keys)
                {
                    cases.Add(tokenizer, kind);
                }
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_EncodedWithoutBos_GivesTheText(string tokenizer, string kind)
    {
        var text = TextOf(kind);
        var t = Get(tokenizer);

        Assert.Equal(text, t.Decode(t.Encode(text, addBos: false, parseSpecial: false)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_EncodedWithBos_GivesTheTextAfterTheSpacePrefix(string tokenizer, string kind)
    {
        var text = TextOf(kind);
        var t = Get(tokenizer);
        var prefix = tokenizer == "bpe" || text.Length == 0 ? "" : " ";

        Assert.Equal(prefix + text, t.Decode(t.Encode(text, addBos: true, parseSpecial: false)));
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Decode_LoneSurrogate_GivesReplacementCharacter(string tokenizer)
    {
        var t = Get(tokenizer);

        Assert.Equal("a\uFFFDb\uFFFD", t.Decode(t.Encode("a\uDC00b\uD800", addBos: false, parseSpecial: false)));
    }

    private static string TextOf(string kind) => _texts[kind];

    private static ITokenizer Get(string name) => name switch
    {
        "llama2" => SharedTokenizers.Llama2,
        "stories260K" => SharedTokenizers.Stories260K,
        _ => TestBpeVocabulary.Create(),
    };
}
