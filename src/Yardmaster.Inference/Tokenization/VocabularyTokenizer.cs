namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// What the GGUF tokenizers share: the vocabulary, the special ids, the decoded bytes of every token
/// and the end-of-generation set. Immutable and thread-safe; subclasses add the encoding algorithm.
/// </summary>
internal abstract class VocabularyTokenizer : ITokenizer
{
    private readonly TokenPieceTable _pieces;
    private readonly bool[] _endOfGeneration;
    private readonly int _longestText;

    /// <summary>Validates the ids against the vocabulary and builds the end-of-generation set.</summary>
    protected VocabularyTokenizer(Vocabulary vocabulary, SpecialTokenIds ids, bool addBos, TokenPieceTable pieces)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(pieces);
        var n = vocabulary.Count;
        foreach (var id in (int[])[ids.Bos, ids.Eos, ids.Unknown, ids.EndOfTurn, ids.EndOfMessage])
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(id, -1, nameof(ids));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, n, nameof(ids));
        }

        if (addBos && ids.Bos < 0)
        {
            throw new ArgumentException("adding BOS needs a BOS id", nameof(addBos));
        }

        Vocabulary = vocabulary;
        Ids = ids;
        AddBos = addBos;
        _pieces = pieces;
        _endOfGeneration = new bool[n];
        _longestText = 1;
        for (var id = 0; id < n; id++)
        {
            _longestText = Math.Max(_longestText, vocabulary.Text(id).Length);
        }

        foreach (var id in vocabulary.EndOfGenerationByText.Append(ids.Eos).Append(ids.EndOfTurn).Append(ids.EndOfMessage))
        {
            if (id >= 0)
            {
                _endOfGeneration[id] = true;
            }
        }
    }

    /// <inheritdoc />
    public int VocabularySize => Vocabulary.Count;

    /// <inheritdoc />
    public int BosId => Ids.Bos;

    /// <inheritdoc />
    public int EosId => Ids.Eos;

    /// <inheritdoc />
    public bool AddBos { get; }

    /// <summary>The token texts and types.</summary>
    protected Vocabulary Vocabulary { get; }

    /// <summary>The special token ids.</summary>
    protected SpecialTokenIds Ids { get; }

    /// <inheritdoc />
    public int[] Encode(string text, bool addBos, bool parseSpecial) => Encode(text, addBos, parseSpecial, int.MaxValue);

    /// <inheritdoc />
    public int[]? EncodeAtMost(string text, bool addBos, bool parseSpecial, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);

        // A token stands for at most its vocabulary text's length of characters (SentencePiece: one per
        // character with U+2581 for a space; byte-level BPE: one per UTF-8 byte, never fewer than the UTF-16
        // characters), so a longer text cannot fit in maxTokens: refused without tokenizing any of it.
        var atLeast = (text.Length + (long)_longestText - 1) / _longestText + (addBos ? 1 : 0);
        if (atLeast > maxTokens)
        {
            return null;
        }

        var ids = Encode(text, addBos, parseSpecial, maxTokens);
        return ids.Length <= maxTokens ? ids : null;
    }

    /// <summary>
    /// Tokenizes <paramref name="text"/>; may stop early, returning more than <paramref name="limit"/> ids
    /// but not all of them, once the ids so far are more than <paramref name="limit"/>.
    /// </summary>
    protected abstract int[] Encode(string text, bool addBos, bool parseSpecial, int limit);

    /// <inheritdoc />
    public ReadOnlySpan<byte> TokenBytes(int id) => _pieces[id];

    /// <inheritdoc />
    public bool IsEndOfGeneration(int id) => (uint)id < (uint)_endOfGeneration.Length && _endOfGeneration[id];

    /// <inheritdoc />
    public string TokenText(int id) => Vocabulary.Text(id);

    /// <inheritdoc />
    public virtual string Decode(ReadOnlySpan<int> ids) => PieceDecoding.Decode(this, ids, stripLeadingSpace: false);

    /// <summary>Starts an output list: BOS when asked; throws <see cref="InvalidOperationException"/> when there is no BOS.</summary>
    protected List<int> StartOutput(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<int>(text.Length / 3 + 2);
        if (addBos)
        {
            if (Ids.Bos < 0)
            {
                throw new InvalidOperationException("the vocabulary has no BOS token to add");
            }

            output.Add(Ids.Bos);
        }

        return output;
    }
}
