using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Token texts and types with a text-to-id index that looks up spans without allocating. Immutable.
/// Applies llama.cpp's load-time rules: an empty text becomes <c>[EMPTY_i]</c>, duplicate texts are
/// refused, and the end-of-generation texts (<c>&lt;|im_end|&gt;</c>, ...) are forced to control type.
/// </summary>
internal sealed class Vocabulary
{
    /// <summary>The metadata field the texts come from, named in errors.</summary>
    public const string TokensField = "metadata[\"tokenizer.ggml.tokens\"]";

    // llama-vocab.cpp, special_eog_ids: these texts end generation whatever type the converter gave them.
    private static readonly string[] _endOfGenerationTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<|end_of_text|>"];

    private readonly string[] _texts;
    private readonly TokenType[] _types;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Builds the vocabulary; <paramref name="types"/> null means every token is normal.</summary>
    public Vocabulary(IReadOnlyList<string> texts, IReadOnlyList<TokenType>? types)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (types is not null && types.Count != texts.Count)
        {
            throw new ArgumentException($"{types.Count} token types for {texts.Count} tokens", nameof(types));
        }

        var n = texts.Count;
        _texts = new string[n];
        _types = new TokenType[n];
        var ids = new Dictionary<string, int>(n, StringComparer.Ordinal);
        var endOfGeneration = new List<int>();
        for (var id = 0; id < n; id++)
        {
            var text = string.IsNullOrEmpty(texts[id]) ? $"[EMPTY_{id}]" : texts[id];
            var type = types is null ? TokenType.Normal : types[id];
            if (!ids.TryAdd(text, id))
            {
                throw new GgufFormatException(TokensField, 0, $"duplicate token \"{text}\" at ids {ids[text]} and {id}");
            }

            if (Array.IndexOf(_endOfGenerationTexts, text) >= 0)
            {
                endOfGeneration.Add(id);
                type = TokenType.Control;
            }

            _texts[id] = text;
            _types[id] = type is >= TokenType.Normal and <= TokenType.Byte ? type : TokenType.Undefined;
        }

        _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        EndOfGenerationByText = endOfGeneration;
        SpecialTokens = [.. Enumerable.Range(0, n)
            .Where(id => _types[id] is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
            .OrderByDescending(id => _texts[id].Length)
            .ThenBy(id => id)];
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _texts.Length;

    /// <summary>
    /// Control, user-defined and unknown tokens, longest text first (ties by id): the order in which
    /// llama.cpp's <c>tokenizer_st_partition</c> cuts them out of the text.
    /// </summary>
    public IReadOnlyList<int> SpecialTokens { get; }

    /// <summary>Tokens that end generation because of their text.</summary>
    public IReadOnlyList<int> EndOfGenerationByText { get; }

    /// <summary>The stored text of <paramref name="id"/>.</summary>
    public string Text(int id) => _texts[id];

    /// <summary>The type of <paramref name="id"/>.</summary>
    public TokenType Type(int id) => _types[id];

    /// <summary>Finds the token whose text is exactly <paramref name="text"/>.</summary>
    public bool TryGetId(ReadOnlySpan<char> text, out int id) => _lookup.TryGetValue(text, out id);
}
