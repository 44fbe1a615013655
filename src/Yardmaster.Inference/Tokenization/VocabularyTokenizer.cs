namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// What the GGUF tokenizers share: the vocabulary, the special ids, the decoded bytes of every token
/// and the end-of-generation set. Immutable and thread-safe; subclasses add the encoding algorithm.
/// </summary>
internal abstract class VocabularyTokenizer : ITokenizer
{
    private readonly TokenPieceTable _pieces;
    private readonly bool[] _endOfGeneration;

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
    public abstract int[] Encode(string text, bool addBos, bool parseSpecial);

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
