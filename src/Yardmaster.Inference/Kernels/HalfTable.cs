namespace Yardmaster.Inference.Kernels;

/// <summary>
/// IEEE half to float by table lookup (256 KiB, built once), as ggml does: one load per scale is
/// cheaper than the bit manipulation on the hot path of quantized dot products.
/// </summary>
internal static class HalfTable
{
    private static readonly float[] _table = Build();

    public static float[] Table => _table;

    public static float ToSingle(ushort bits) => _table[bits];

    private static float[] Build()
    {
        var table = new float[65536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        }

        return table;
    }
}
