namespace Yardmaster.Inference.Quantization;

/// <summary>
/// ggml's Q8_0: blocks of 32 values stored as an fp16 scale <c>d</c> then 32 signed bytes <c>q</c>;
/// a value is <c>q * d</c>. Quantization follows <c>quantize_row_q8_0_ref</c> bit for bit:
/// <c>d = amax / 127</c>, <c>q = roundf(x * (1 / d))</c> (halves away from zero; all zeros when d is 0).
/// </summary>
/// <remarks>
/// Error bound per element: <c>|x - q * fp16(d)| ≤ d / 2 + 127 * |d - fp16(d)|</c>. The first term is the
/// rounding of <c>x / d</c>; the second appears because ggml rounds with the float <c>d</c> but stores it
/// as fp16 (relative error ≤ 2^-11), so the bound is at most about <c>0.56 d</c>, and exactly
/// <c>d / 2</c> when <c>d</c> is representable in fp16.
/// </remarks>
internal static class Q8_0
{
    public const int BlockSize = 32;

    public const int BlockBytes = 2 + BlockSize;

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (int b = 0, o = 0; b < source.Length; b += BlockSize, o += BlockBytes)
        {
            var x = source.Slice(b, BlockSize);
            var block = destination.Slice(o, BlockBytes);
            var amax = 0f;
            foreach (var v in x)
            {
                amax = MathF.Max(amax, MathF.Abs(v));
            }

            var d = amax / 127f;
            var id = d != 0f ? 1f / d : 0f;
            Fp16.Write(block, d);
            for (var j = 0; j < BlockSize; j++)
            {
                block[2 + j] = unchecked((byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
            }
        }
    }

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int b = 0, o = 0; b < destination.Length; b += BlockSize, o += BlockBytes)
        {
            var block = source.Slice(o, BlockBytes);
            var d = Fp16.Read(block);
            var y = destination.Slice(b, BlockSize);
            for (var j = 0; j < BlockSize; j++)
            {
                y[j] = (sbyte)block[2 + j] * d;
            }
        }
    }
}
