namespace Yardmaster.Inference.Quantization;

/// <summary>
/// ggml's Q4_0: blocks of 32 values stored as an fp16 scale <c>d</c> then 16 bytes; element j is
/// <c>(byte[j] &amp; 0xF) - 8</c> for j &lt; 16 and <c>(byte[j - 16] &gt;&gt; 4) - 8</c> for j ≥ 16, times d.
/// Quantization follows <c>quantize_row_q4_0_ref</c>: <c>d = max / -8</c> where max is the value of
/// largest magnitude with its sign, <c>q = min(15, trunc(x / d + 8.5))</c>.
/// </summary>
/// <remarks>Error bound per element: <c>|x - deq| ≤ d / 2</c> plus the fp16 rounding of d times 8, except that
/// the value opposite in sign to max may clamp at q = 15 (error up to d).</remarks>
internal static class Q4_0
{
    public const int BlockSize = 32;

    public const int BlockBytes = 2 + (BlockSize / 2);

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (int b = 0, o = 0; b < source.Length; b += BlockSize, o += BlockBytes)
        {
            var x = source.Slice(b, BlockSize);
            var block = destination.Slice(o, BlockBytes);
            float amax = 0f, max = 0f;
            foreach (var v in x)
            {
                if (amax < MathF.Abs(v))
                {
                    amax = MathF.Abs(v);
                    max = v;
                }
            }

            var d = max / -8f;
            var id = d != 0f ? 1f / d : 0f;
            Fp16.Write(block, d);
            for (var j = 0; j < BlockSize / 2; j++)
            {
                var lo = Math.Min(15, (int)((x[j] * id) + 8.5f));
                var hi = Math.Min(15, (int)((x[j + (BlockSize / 2)] * id) + 8.5f));
                block[2 + j] = (byte)(lo | (hi << 4));
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
            for (var j = 0; j < BlockSize / 2; j++)
            {
                y[j] = ((block[2 + j] & 0xF) - 8) * d;
                y[j + (BlockSize / 2)] = ((block[2 + j] >> 4) - 8) * d;
            }
        }
    }
}
