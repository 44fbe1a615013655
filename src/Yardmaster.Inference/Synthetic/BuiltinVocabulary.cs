using System.Globalization;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// Builds the builtin 512-token vocabulary in the layout of Llama's SentencePiece models: control and
/// unknown tokens, 256 byte-fallback tokens, merged pieces (highest score first), then single characters.
/// </summary>
internal static class BuiltinVocabulary
{
    public const int Size = 512;

    private const int PieceCount = 158;
    private const char WordBoundary = '\u2581';

    // Token types as llama.cpp numbers them.
    private const int Normal = 1;
    private const int Unknown = 2;
    private const int Control = 3;
    private const int ByteToken = 6;

    // Frequent words of simple English stories, most frequent first.
    private static readonly string[] _words =
    [
        "the", "and", "a", "to", "was", "he", "she", "they", "it", "in", "said", "day", "with", "her", "his",
        "on", "of", "you", "big", "one", "for", "that", "happy", "time", "saw", "little", "play", "were",
        "friend", "very", "upon", "once", "there", "but", "had", "mom", "not", "so", "went", "wanted",
        "fun", "park", "ball", "tree", "girl", "boy", "dog", "cat", "bird", "love", "home", "good", "look",
        "came", "made", "sun", "run", "toy", "like", "help", "sky", "red", "box", "car", "fox", "hat",
    ];

    public static IReadOnlyList<KeyValuePair<string, GgufValue>> Create()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { Unknown, Control, Control };
        var scores = new List<float> { 0f, 0f, 0f };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
            types.Add(ByteToken);
            scores.Add(0f);
        }

        var normal = Pieces().Concat(Characters()).ToList();
        for (var i = 0; i < normal.Count; i++)
        {
            tokens.Add(normal[i]);
            types.Add(Normal);
            scores.Add(-i);
        }

        if (tokens.Count != Size)
        {
            throw new InvalidOperationException($"builtin vocabulary has {tokens.Count} tokens, expected {Size}");
        }

        return
        [
            new("tokenizer.ggml.model", GgufValue.From("llama")),
            new("tokenizer.ggml.tokens", GgufValue.From(new GgufArray(GgufValueType.String, tokens.ToArray()))),
            new("tokenizer.ggml.scores", GgufValue.From(new GgufArray(GgufValueType.Float32, scores.ToArray()))),
            new("tokenizer.ggml.token_type", GgufValue.From(new GgufArray(GgufValueType.Int32, types.ToArray()))),
            new("tokenizer.ggml.unknown_token_id", GgufValue.From(0u)),
            new("tokenizer.ggml.bos_token_id", GgufValue.From(1u)),
            new("tokenizer.ggml.eos_token_id", GgufValue.From(2u)),
            new("tokenizer.ggml.add_bos_token", GgufValue.From(true)),
            new("tokenizer.ggml.add_eos_token", GgufValue.From(false)),
        ];
    }

    /// <summary>Each word with a leading word boundary, preceded by all of its prefixes of two or more characters.</summary>
    private static List<string> Pieces()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pieces = new List<string>();
        foreach (var word in _words)
        {
            var piece = WordBoundary + word;
            for (var length = 2; length <= piece.Length && pieces.Count < PieceCount; length++)
            {
                if (seen.Add(piece[..length]))
                {
                    pieces.Add(piece[..length]);
                }
            }
        }

        return pieces;
    }

    private static IEnumerable<string> Characters()
    {
        yield return WordBoundary.ToString();
        for (var c = '!'; c <= '~'; c++)
        {
            yield return c.ToString();
        }
    }
}
