using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Kernels;

/// <summary>
/// Dot products of one weight row with float vectors, and row dequantization. AVX-512 and AVX2 paths
/// with a portable fallback; all paths give the same result up to float rounding order.
/// </summary>
internal static unsafe class Dot
{
    /// <summary>Q8_0 block: a half scale then 32 signed bytes.</summary>
    public const int Q8Block = 34;

    public static float Row(GgmlType type, byte* row, float* x, int n) => type switch
    {
        GgmlType.F32 => F32((float*)row, x, n),
        GgmlType.Q8_0 => Q8_0(row, x, n),
        _ => throw new NotSupportedException($"no dot product for {type}"),
    };

    /// <summary>Whether <see cref="Row"/> reads this type directly (others go through <see cref="Dequantize"/>).</summary>
    public static bool IsDirect(GgmlType type) => type is GgmlType.F32 or GgmlType.Q8_0;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static float F32(float* a, float* b, int n)
    {
        var i = 0;
        float sum;
        if (Vector512.IsHardwareAccelerated && n >= 64)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 64; i += 64)
            {
                s0 = MulAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
                s1 = MulAdd(Vector512.Load(a + i + 16), Vector512.Load(b + i + 16), s1);
                s2 = MulAdd(Vector512.Load(a + i + 32), Vector512.Load(b + i + 32), s2);
                s3 = MulAdd(Vector512.Load(a + i + 48), Vector512.Load(b + i + 48), s3);
            }

            for (; i <= n - 16; i += 16)
            {
                s0 = MulAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
            }

            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 = MulAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
                s1 = MulAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s1);
                s2 = MulAdd(Vector256.Load(a + i + 16), Vector256.Load(b + i + 16), s2);
                s3 = MulAdd(Vector256.Load(a + i + 24), Vector256.Load(b + i + 24), s3);
            }

            for (; i <= n - 8; i += 8)
            {
                s0 = MulAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            }

            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        else
        {
            sum = 0;
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0(byte* row, float* x, int n)
    {
        var blocks = n / 32;
        var table = HalfTable.Table;
        if (Avx512F.IsSupported)
        {
            // Two blocks per step into two accumulators, so the adds do not wait on each other.
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            var b = 0;
            for (; b + 1 < blocks; b += 2)
            {
                var block0 = row + (b * Q8Block);
                var block1 = block0 + Q8Block;
                var q0 = (sbyte*)(block0 + 2);
                var q1 = (sbyte*)(block1 + 2);
                var xb = x + (b * 32);
                var s0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q0))) * Vector512.Load(xb);
                var s1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q1))) * Vector512.Load(xb + 32);
                s0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q0 + 16))), Vector512.Load(xb + 16), s0);
                s1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q1 + 16))), Vector512.Load(xb + 48), s1);
                acc0 = Avx512F.FusedMultiplyAdd(s0, Vector512.Create(table[*(ushort*)block0]), acc0);
                acc1 = Avx512F.FusedMultiplyAdd(s1, Vector512.Create(table[*(ushort*)block1]), acc1);
            }

            for (; b < blocks; b++)
            {
                var block = row + (b * Q8Block);
                var q = (sbyte*)(block + 2);
                var xb = x + (b * 32);
                var s = Avx512F.FusedMultiplyAdd(
                    Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + 16))), Vector512.Load(xb + 16),
                    Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q))) * Vector512.Load(xb));
                acc0 = Avx512F.FusedMultiplyAdd(s, Vector512.Create(table[*(ushort*)block]), acc0);
            }

            return Vector512.Sum(acc0 + acc1);
        }

        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var acc = Vector256<float>.Zero;
            for (var b = 0; b < blocks; b++)
            {
                var block = row + (b * Q8Block);
                var d = Vector256.Create(table[*(ushort*)block]);
                var q = (sbyte*)(block + 2);
                var xb = x + (b * 32);
                var s = Vector256.Load(xb) * Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q));
                s = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + 8)), Vector256.Load(xb + 8), s);
                s = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + 16)), Vector256.Load(xb + 16), s);
                s = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + 24)), Vector256.Load(xb + 24), s);
                acc = Fma.MultiplyAdd(s, d, acc);
            }

            return Vector256.Sum(acc);
        }

        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var block = row + (b * Q8Block);
            var q = (sbyte*)(block + 2);
            var s = 0f;
            for (var j = 0; j < 32; j++)
            {
                s += q[j] * x[(b * 32) + j];
            }

            sum += s * table[*(ushort*)block];
        }

        return sum;
    }

    /// <summary>
    /// Four dot products of one Q8_0 row with four vectors <paramref name="stride"/> floats apart: each
    /// block is expanded once and used four times, so a batch of sequences costs little more than one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8_0x4(byte* row, float* x, int stride, int n, float* results, int resultStride)
    {
        var table = HalfTable.Table;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var x1 = x + stride;
        var x2 = x1 + stride;
        var x3 = x2 + stride;
        for (var b = 0; b < n / 32; b++)
        {
            var block = row + (b * Q8Block);
            var q = (sbyte*)(block + 2);
            var d = Vector512.Create(table[*(ushort*)block]);
            var w0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q))) * d;
            var w1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + 16))) * d;
            var o = b * 32;
            a0 = Avx512F.FusedMultiplyAdd(w1, Vector512.Load(x + o + 16), Avx512F.FusedMultiplyAdd(w0, Vector512.Load(x + o), a0));
            a1 = Avx512F.FusedMultiplyAdd(w1, Vector512.Load(x1 + o + 16), Avx512F.FusedMultiplyAdd(w0, Vector512.Load(x1 + o), a1));
            a2 = Avx512F.FusedMultiplyAdd(w1, Vector512.Load(x2 + o + 16), Avx512F.FusedMultiplyAdd(w0, Vector512.Load(x2 + o), a2));
            a3 = Avx512F.FusedMultiplyAdd(w1, Vector512.Load(x3 + o + 16), Avx512F.FusedMultiplyAdd(w0, Vector512.Load(x3 + o), a3));
        }

        results[0] = Vector512.Sum(a0);
        results[resultStride] = Vector512.Sum(a1);
        results[2 * resultStride] = Vector512.Sum(a2);
        results[3 * resultStride] = Vector512.Sum(a3);
    }

    /// <summary>Whether the 8-bit integer path (<see cref="Q8_0Q8"/>) runs on this CPU.</summary>
    public static bool IntegerQ8 => AvxVnni.IsSupported;

    /// <summary>
    /// Dot product of a Q8_0 row with a Q8_0-quantized vector (<paramref name="qx"/> values,
    /// <paramref name="dx"/> block scales): per block, 32 signed byte products summed by VNNI, scaled once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0Q8(byte* row, sbyte* qx, float* dx, int n)
    {
        var table = HalfTable.Table;
        var blocks = n / 32;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var b = 0;
        for (; b + 3 < blocks; b += 4)
        {
            var block = row + (b * Q8Block);
            var x = qx + (b * 32);
            acc0 = Fma.MultiplyAdd(BlockDot(Vector256.Load((sbyte*)(block + 2)), Vector256.Load(x)), Vector256.Create(table[*(ushort*)block] * dx[b]), acc0);
            acc1 = Fma.MultiplyAdd(BlockDot(Vector256.Load((sbyte*)(block + 36)), Vector256.Load(x + 32)), Vector256.Create(table[*(ushort*)(block + 34)] * dx[b + 1]), acc1);
            acc2 = Fma.MultiplyAdd(BlockDot(Vector256.Load((sbyte*)(block + 70)), Vector256.Load(x + 64)), Vector256.Create(table[*(ushort*)(block + 68)] * dx[b + 2]), acc2);
            acc3 = Fma.MultiplyAdd(BlockDot(Vector256.Load((sbyte*)(block + 104)), Vector256.Load(x + 96)), Vector256.Create(table[*(ushort*)(block + 102)] * dx[b + 3]), acc3);
        }

        for (; b < blocks; b++)
        {
            var block = row + (b * Q8Block);
            acc0 = Fma.MultiplyAdd(BlockDot(Vector256.Load((sbyte*)(block + 2)), Vector256.Load(qx + (b * 32))), Vector256.Create(table[*(ushort*)block] * dx[b]), acc0);
        }

        return Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    /// <summary>
    /// Four dot products of one Q8_0 row with four Q8_0-quantized vectors <paramref name="stride"/> values
    /// apart (scales <c>stride / 32</c> apart): each weight block is loaded once and used four times.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8_0Q8x4(byte* row, sbyte* qx, float* dx, int stride, int n, float* results, int resultStride)
    {
        var table = HalfTable.Table;
        var blocks = n / 32;
        var scaleStride = stride / 32;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var b = 0; b < blocks; b++)
        {
            var block = row + (b * Q8Block);
            var w = Vector256.Load((sbyte*)(block + 2));
            var magnitude = Avx2.Abs(w);
            var d = table[*(ushort*)block];
            var x = qx + (b * 32);
            var s = dx + b;
            a0 = Fma.MultiplyAdd(SignedDot(magnitude, w, Vector256.Load(x)), Vector256.Create(d * s[0]), a0);
            a1 = Fma.MultiplyAdd(SignedDot(magnitude, w, Vector256.Load(x + stride)), Vector256.Create(d * s[scaleStride]), a1);
            a2 = Fma.MultiplyAdd(SignedDot(magnitude, w, Vector256.Load(x + (2 * stride))), Vector256.Create(d * s[2 * scaleStride]), a2);
            a3 = Fma.MultiplyAdd(SignedDot(magnitude, w, Vector256.Load(x + (3 * stride))), Vector256.Create(d * s[3 * scaleStride]), a3);
        }

        results[0] = Vector256.Sum(a0);
        results[resultStride] = Vector256.Sum(a1);
        results[2 * resultStride] = Vector256.Sum(a2);
        results[3 * resultStride] = Vector256.Sum(a3);
    }

    /// <summary>Sum of w·x over 32 signed bytes, as 8 float partial sums (|w| times x with w's sign, by VNNI).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockDot(Vector256<sbyte> w, Vector256<sbyte> x) => SignedDot(Avx2.Abs(w), w, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SignedDot(Vector256<byte> magnitude, Vector256<sbyte> w, Vector256<sbyte> x) =>
        Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, magnitude, Avx2.Sign(x, w)));

    /// <summary>Expands <paramref name="n"/> elements of a row of <paramref name="type"/> into floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dequantize(GgmlType type, byte* row, float* dst, int n)
    {
        var table = HalfTable.Table;
        switch (type)
        {
            case GgmlType.F32:
                Buffer.MemoryCopy(row, dst, (long)n * 4, (long)n * 4);
                break;
            case GgmlType.F16:
                HalvesToSingles((ushort*)row, dst, n);
                break;
            case GgmlType.BF16:
                for (var i = 0; i < n; i++)
                {
                    dst[i] = BitConverter.Int32BitsToSingle(((ushort*)row)[i] << 16);
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < n / 32; b++)
                {
                    var block = row + (b * Q8Block);
                    var d = table[*(ushort*)block];
                    var q = (sbyte*)(block + 2);
                    var o = dst + (b * 32);
                    if (Avx512F.IsSupported)
                    {
                        var dv = Vector512.Create(d);
                        (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q))) * dv).Store(o);
                        (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + 16))) * dv).Store(o + 16);
                        continue;
                    }

                    for (var j = 0; j < 32; j++)
                    {
                        o[j] = q[j] * d;
                    }
                }

                break;
            case GgmlType.Q4_0:
                for (var b = 0; b < n / 32; b++)
                {
                    var block = row + (b * 18);
                    var d = table[*(ushort*)block];
                    var q = block + 2;
                    for (var j = 0; j < 16; j++)
                    {
                        dst[(b * 32) + j] = ((q[j] & 0x0F) - 8) * d;
                        dst[(b * 32) + j + 16] = ((q[j] >> 4) - 8) * d;
                    }
                }

                break;
            default:
                throw new NotSupportedException($"tensor type {type} is not supported by the builtin runtime");
        }
    }

    /// <summary>
    /// IEEE halves to floats, eight at a time with integer and float vector operations: the magnitude
    /// bits shifted into a float's place and multiplied by 2^112 re-bias the exponent (subnormals
    /// included); infinities and NaNs get the full exponent; the sign is put back. Exact for every input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HalvesToSingles(ushort* src, float* dst, int n)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var magic = Vector256.Create(0x77800000).AsSingle(); // 2^112
            var expMask = Vector256.Create(0x7C00);
            var infNan = Vector256.Create(0x7F800000);
            for (; i <= n - 8; i += 8)
            {
                var h = Vector256.WidenLower(Vector256.Create(Vector128.Load(src + i), Vector128<ushort>.Zero)).AsInt32();
                var magnitude = (Vector256.ShiftLeft(h & Vector256.Create(0x7FFF), 13).AsSingle() * magic).AsInt32();
                var special = Vector256.Equals(h & expMask, expMask);
                magnitude |= special & infNan;
                var sign = Vector256.ShiftLeft(h & Vector256.Create(0x8000), 16);
                (magnitude | sign).AsSingle().Store(dst + i);
            }
        }

        var table = HalfTable.Table;
        for (; i < n; i++)
        {
            dst[i] = table[src[i]];
        }
    }

    /// <summary>Whether <see cref="Dequantize"/> handles <paramref name="type"/>.</summary>
    public static bool Supports(GgmlType type) =>
        type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0 or GgmlType.Q4_0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.FusedMultiplyAdd(a, b, c);
}
