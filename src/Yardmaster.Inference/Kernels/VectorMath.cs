using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Yardmaster.Inference.Kernels;

/// <summary>Element-wise vector operations of the forward pass.</summary>
internal static class VectorMath
{
    /// <summary><c>dst = x / rms(x) * weight</c>, with rms computed in double as ggml does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsNorm(Span<float> dst, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float epsilon)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += v * v;
        }

        var scale = 1f / MathF.Sqrt((float)(sum / x.Length) + epsilon);
        for (var i = 0; i < x.Length; i++)
        {
            dst[i] = x[i] * scale * weight[i];
        }
    }

    /// <summary><c>dst += src * factor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<float> dst, ReadOnlySpan<float> src, float factor)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<float>.Count)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(dst);
            var s = MemoryMarshal.Cast<float, Vector<float>>(src);
            var f = new Vector<float>(factor);
            for (var k = 0; k < d.Length; k++)
            {
                d[k] += s[k] * f;
            }

            i = d.Length * Vector<float>.Count;
        }

        for (; i < dst.Length; i++)
        {
            dst[i] += src[i] * factor;
        }
    }

    /// <summary><c>dst[0..n) += src[0..n) * factor</c> on raw pointers: the inner loop of attention.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void AddScaled(float* dst, float* src, float factor, int n)
    {
        var i = 0;
        var f = Vector256.Create(factor);
        for (; i <= n - 8; i += 8)
        {
            Vector256.FusedMultiplyAdd(Vector256.Load(src + i), f, Vector256.Load(dst + i)).Store(dst + i);
        }

        for (; i < n; i++)
        {
            dst[i] += src[i] * factor;
        }
    }

    /// <summary><c>dst += src</c>.</summary>
    public static void Add(Span<float> dst, ReadOnlySpan<float> src) => AddScaled(dst, src, 1f);

    /// <summary><c>gate = silu(gate) * up</c>, SwiGLU's gating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SwiGlu(Span<float> gate, ReadOnlySpan<float> up)
    {
        for (var i = 0; i < gate.Length; i++)
        {
            var g = gate[i];
            gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }

    /// <summary>
    /// Rotates pairs (x[2i], x[2i+1]) of each head's first <c>cos.Length * 2</c> dimensions by the
    /// position's angles (llama.cpp's "normal" RoPE).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rope(Span<float> x, int heads, int headDim, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        for (var h = 0; h < heads; h++)
        {
            var head = x.Slice(h * headDim, headDim);
            for (var i = 0; i < cos.Length; i++)
            {
                var a = head[2 * i];
                var b = head[(2 * i) + 1];
                head[2 * i] = (a * cos[i]) - (b * sin[i]);
                head[(2 * i) + 1] = (a * sin[i]) + (b * cos[i]);
            }
        }
    }

    /// <summary>Angles for RoPE at <paramref name="position"/>, computed in float as ggml does.</summary>
    public static void RopeAngles(int position, int ropeDims, float frequencyBase, Span<float> cos, Span<float> sin)
    {
        var thetaScale = MathF.Pow(frequencyBase, -2f / ropeDims);
        var theta = (float)position;
        for (var i = 0; i < ropeDims / 2; i++)
        {
            cos[i] = MathF.Cos(theta);
            sin[i] = MathF.Sin(theta);
            theta *= thetaScale;
        }
    }
}
