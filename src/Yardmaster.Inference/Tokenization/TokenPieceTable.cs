using System.Buffers;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The decoded bytes of every token, computed once and stored back to back in one array so that
/// looking a token up allocates nothing. Immutable.
/// </summary>
internal sealed class TokenPieceTable
{
    private readonly byte[] _bytes;
    private readonly int[] _offsets;

    private TokenPieceTable(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>The bytes of <paramref name="id"/>; throws <see cref="ArgumentOutOfRangeException"/> for an id outside the vocabulary.</summary>
    public ReadOnlySpan<byte> this[int id]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
            return _bytes.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);
        }
    }

    /// <summary>Builds the table by asking <paramref name="writePiece"/> to write each token's bytes in turn.</summary>
    public static TokenPieceTable Build(int count, Action<int, IBufferWriter<byte>> writePiece)
    {
        ArgumentNullException.ThrowIfNull(writePiece);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, count * 4));
        var offsets = new int[count + 1];
        for (var id = 0; id < count; id++)
        {
            writePiece(id, buffer);
            offsets[id + 1] = buffer.WrittenCount;
        }

        return new TokenPieceTable(buffer.WrittenSpan.ToArray(), offsets);
    }
}
