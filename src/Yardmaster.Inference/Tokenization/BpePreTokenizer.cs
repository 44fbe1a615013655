using System.Text.RegularExpressions;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Splits raw text into words before byte-level BPE, as llama.cpp's <c>unicode_regex_split</c>: each
/// expression in turn splits every piece from the previous one into its matches and the text between
/// them. Chosen by <c>tokenizer.ggml.pre</c>. Immutable and thread-safe.
/// </summary>
internal sealed class BpePreTokenizer
{
    private readonly Regex[] _patterns;

    private BpePreTokenizer(string name, bool ignoreMerges, bool addBosByDefault, params Regex[] patterns)
    {
        Name = name;
        IgnoreMerges = ignoreMerges;
        AddBosByDefault = addBosByDefault;
        _patterns = patterns;
    }

    /// <summary>The pre-tokenizer family: <c>default</c>, <c>gpt2</c>, <c>llama3</c> or <c>qwen2</c>.</summary>
    public string Name { get; }

    /// <summary>Whether a word that is a whole token is taken as is, before any merge (llama.cpp's <c>ignore_merges</c>).</summary>
    public bool IgnoreMerges { get; }

    /// <summary>Whether BOS is added when <c>tokenizer.ggml.add_bos_token</c> is absent.</summary>
    public bool AddBosByDefault { get; }

    /// <summary>
    /// The pre-tokenizer for a <c>tokenizer.ggml.pre</c> value, with llama.cpp's names and defaults. A
    /// missing value is llama.cpp's <c>default</c>; a name llama.cpp refuses or this runtime does not know
    /// falls back to GPT-2.
    /// </summary>
    public static BpePreTokenizer FromName(string? pre) => pre switch
    {
        null or "" or "default" => new("default", false, false,
            BpePatterns.DefaultPunctuation(), BpePatterns.Gpt2(), BpePatterns.DefaultNumbers(), BpePatterns.DefaultThreeDigits()),
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "pixtral" => new("llama3", true, true, BpePatterns.Llama3()),
        "dbrx" or "smaug-bpe" => new("llama3", false, false, BpePatterns.Llama3()),
        "qwen2" or "deepseek-r1-qwen" or "megrez" or "stablelm2" => new("qwen2", false, false, BpePatterns.Qwen2()),
        _ => new("gpt2", false, false, BpePatterns.Gpt2()),
    };

    /// <summary>Appends the words of <c>text[start..start+length]</c> to <paramref name="words"/> as (start, length) in <paramref name="text"/>.</summary>
    public void Split(string text, int start, int length, List<(int Start, int Length)> words)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(words);
        var source = text.AsSpan(start, length);
        int[]? map = null;
        ReadOnlySpan<char> subject = source;
        if (source.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
        {
            subject = CodePointCollapse.Collapse(source, out map);
        }

        var pieces = new List<(int Start, int Length)> { (0, subject.Length) };
        var next = new List<(int Start, int Length)>();
        foreach (var pattern in _patterns)
        {
            next.Clear();
            foreach (var (pieceStart, pieceLength) in pieces)
            {
                SplitPiece(pattern, subject.Slice(pieceStart, pieceLength), pieceStart, next);
            }

            (pieces, next) = (next, pieces);
        }

        foreach (var (pieceStart, pieceLength) in pieces)
        {
            var from = map is null ? pieceStart : map[pieceStart];
            var to = map is null ? pieceStart + pieceLength : map[pieceStart + pieceLength];
            words.Add((start + from, to - from));
        }
    }

    private static void SplitPiece(Regex pattern, ReadOnlySpan<char> piece, int offset, List<(int Start, int Length)> output)
    {
        var position = 0;
        foreach (var match in pattern.EnumerateMatches(piece))
        {
            if (match.Index > position)
            {
                output.Add((offset + position, match.Index - position));
            }

            if (match.Length > 0)
            {
                output.Add((offset + match.Index, match.Length));
            }

            position = match.Index + match.Length;
        }

        if (position < piece.Length)
        {
            output.Add((offset + position, piece.Length - position));
        }
    }
}
