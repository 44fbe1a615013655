using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>
/// A small byte-level BPE vocabulary: ids 0..255 are the 256 byte characters (id = byte value), then a
/// few merged tokens and special tokens. No GGUF with a GPT-2 tokenizer is available offline.
/// </summary>
internal static class TestBpeVocabulary
{
    public static readonly string[] Merges =
    [
        "\u0120 w", "o r", "\u0120w or", "l d", "\u0120wor ld", "H e", "l l", "He ll", "Hell o", "\u0120 \u0120", "\u010A \u010A",
        "b c", "a b", "a a", "1 2", "12 3",
    ];

    public static readonly string[] Specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool>"];

    public static string[] Tokens { get; } = BuildTokens();

    public static int Id(string text) => Array.IndexOf(Tokens, text);

    public static Gpt2BpeTokenizer Create(string? pre = "gpt-2", bool? addBos = null)
    {
        var types = Tokens.Select((_, id) => id switch
        {
            _ when Tokens[id] == "<tool>" => TokenType.UserDefined,
            _ when Specials.Contains(Tokens[id]) => TokenType.Control,
            _ => TokenType.Normal,
        }).ToArray();
        var ids = new SpecialTokenIds(Bos: Id("<|endoftext|>"), Eos: Id("<|endoftext|>"), Unknown: -1);
        return Gpt2BpeTokenizer.Create(Tokens, Merges, types, pre, ids, addBos);
    }

    private static string[] BuildTokens()
    {
        var tokens = Enumerable.Range(0, 256).Select(b => ((char)ByteChar((byte)b)).ToString()).ToList();
        foreach (var merge in Merges)
        {
            tokens.Add(merge.Replace(" ", "", StringComparison.Ordinal));
        }

        tokens.AddRange(Specials);
        return [.. tokens];
    }

    private static char ByteChar(byte b)
    {
        // GPT-2's bytes_to_unicode, written out independently of the production table.
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 12)).Concat(Enumerable.Range(0xAE, 82)).ToList();
        if (printable.Contains(b))
        {
            return (char)b;
        }

        return (char)(256 + Enumerable.Range(0, b).Count(x => !printable.Contains(x)));
    }
}
