using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// The tokenizer metadata a synthetic model carries: the builtin 512-token SentencePiece-style
/// vocabulary, or every <c>tokenizer.*</c> key copied from another GGUF file. Immutable.
/// </summary>
public sealed class SyntheticVocabulary
{
    private static readonly Lazy<SyntheticVocabulary> _builtin =
        new(() => new SyntheticVocabulary("builtin", BuiltinVocabulary.Create()));

    private SyntheticVocabulary(string source, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata)
    {
        Source = source;
        Metadata = metadata;
        var tokens = metadata.FirstOrDefault(kv => kv.Key == "tokenizer.ggml.tokens").Value;
        Count = tokens?.Type == GgufValueType.Array ? tokens.AsArray().Count : 0;
    }

    /// <summary>
    /// The builtin vocabulary (<c>tokenizer.ggml.model = llama</c>): &lt;unk&gt; 0, &lt;s&gt; 1 (BOS),
    /// &lt;/s&gt; 2 (EOS), the 256 byte tokens &lt;0x00&gt;..&lt;0xFF&gt;, 158 pieces of common English
    /// words (each word with all of its prefixes, so SentencePiece merges can reach it) and 95 single
    /// characters (U+2581 for the space and printable ASCII): 512 tokens with scores and token types.
    /// </summary>
    public static SyntheticVocabulary Builtin => _builtin.Value;

    /// <summary>Where the vocabulary came from: <c>builtin</c> or the path of the GGUF file.</summary>
    public string Source { get; }

    /// <summary>Number of tokens (the length of <c>tokenizer.ggml.tokens</c>).</summary>
    public int Count { get; }

    /// <summary>The <c>tokenizer.*</c> metadata, in the order it is written.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }

    /// <summary>
    /// Copies every <c>tokenizer.*</c> key of the GGUF file at <paramref name="path"/>. Throws
    /// <see cref="GgufFormatException"/> when the file is not a GGUF or has no <c>tokenizer.ggml.tokens</c>
    /// array, and <see cref="IOException"/> when it cannot be read.
    /// </summary>
    public static SyntheticVocabulary FromGguf(string path)
    {
        using var file = GgufFile.Open(path);
        var metadata = file.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        var vocabulary = new SyntheticVocabulary(path, metadata);
        return vocabulary.Count > 0
            ? vocabulary
            : throw new GgufFormatException("metadata[\"tokenizer.ggml.tokens\"]", 0, $"{path} has no tokenizer.ggml.tokens array");
    }
}
