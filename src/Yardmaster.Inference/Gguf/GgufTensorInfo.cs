namespace Yardmaster.Inference.Gguf;

/// <summary>
/// A tensor's description. <see cref="Dimensions"/> are in ggml order: the first is the
/// contiguous (row) dimension. <see cref="Offset"/> is relative to the start of the data section.
/// </summary>
/// <param name="Name">Tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">Sizes, innermost first.</param>
/// <param name="Type">Element type.</param>
/// <param name="Offset">Byte offset of the data relative to the data section.</param>
/// <param name="ByteLength">Bytes of data.</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, GgmlType Type, long Offset, long ByteLength)
{
    /// <summary>Total number of elements.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dimensions)
            {
                n *= d;
            }

            return n;
        }
    }

    /// <summary>Size of the innermost dimension (a row).</summary>
    public long Columns => Dimensions[0];

    /// <summary>Number of rows: the product of all dimensions but the first.</summary>
    public long Rows => ElementCount / Dimensions[0];
}
