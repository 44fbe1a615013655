namespace Yardmaster.Inference.Gguf;

/// <summary>Block geometry of each <see cref="GgmlType"/>: elements per block and bytes per block.</summary>
public static class GgmlTypeInfo
{
    /// <summary>Returns whether <paramref name="type"/> is a type this reader knows the layout of.</summary>
    public static bool IsKnown(GgmlType type) => BlockSize(type) > 0;

    /// <summary>Elements per block (1 for plain types); 0 for an unknown type.</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.F64
            or GgmlType.I8 or GgmlType.I16 or GgmlType.I32 or GgmlType.I64 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1
            or GgmlType.Q8_0 or GgmlType.Q8_1 => 32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K
            or GgmlType.Q6_K or GgmlType.Q8_K => 256,
        _ => 0,
    };

    /// <summary>Bytes per block; 0 for an unknown type.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.I32 => 4,
        GgmlType.F16 or GgmlType.BF16 or GgmlType.I16 => 2,
        GgmlType.F64 or GgmlType.I64 => 8,
        GgmlType.I8 => 1,
        GgmlType.Q4_0 => 18,
        GgmlType.Q4_1 => 20,
        GgmlType.Q5_0 => 22,
        GgmlType.Q5_1 => 24,
        GgmlType.Q8_0 => 34,
        GgmlType.Q8_1 => 36,
        GgmlType.Q2_K => 84,
        GgmlType.Q3_K => 110,
        GgmlType.Q4_K => 144,
        GgmlType.Q5_K => 176,
        GgmlType.Q6_K => 210,
        GgmlType.Q8_K => 292,
        _ => 0,
    };

    /// <summary>
    /// Bytes that <paramref name="elements"/> elements of <paramref name="type"/> occupy, or -1 when the
    /// count is not a whole number of blocks or overflows.
    /// </summary>
    public static long ByteCount(GgmlType type, long elements)
    {
        var block = BlockSize(type);
        if (block == 0 || elements < 0 || elements % block != 0)
        {
            return -1;
        }

        var blocks = elements / block;
        var bytesPerBlock = BlockBytes(type);
        return blocks > long.MaxValue / bytesPerBlock ? -1 : blocks * bytesPerBlock;
    }
}
