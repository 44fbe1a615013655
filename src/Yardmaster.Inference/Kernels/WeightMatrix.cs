using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Kernels;

/// <summary>
/// A 2-D weight tensor in the memory mapping: <see cref="Rows"/> rows of <see cref="Columns"/> elements,
/// each row <see cref="RowBytes"/> bytes of <see cref="Type"/>. Multiplying by an input vector of
/// <see cref="Columns"/> floats gives <see cref="Rows"/> outputs.
/// </summary>
internal readonly unsafe struct WeightMatrix
{
    public WeightMatrix(byte* data, GgmlType type, int rows, int columns)
    {
        Data = data;
        Type = type;
        Rows = rows;
        Columns = columns;
        RowBytes = GgmlTypeInfo.ByteCount(type, columns);
    }

    public byte* Data { get; }

    public GgmlType Type { get; }

    public int Rows { get; }

    public int Columns { get; }

    public long RowBytes { get; }

    public byte* Row(int row) => Data + (row * RowBytes);

    public long ByteLength => RowBytes * Rows;
}
