using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Yardmaster.Inference.Kernels;

/// <summary>
/// Input vectors quantized to Q8_0 (per block of 32: a float scale and 32 signed bytes), as llama.cpp
/// does before multiplying a Q8_0 matrix: the dot products then run on 8-bit integers, twice as fast as
/// expanding the weights to floats. Owned by one <see cref="MatMul"/>; not thread-safe.
/// </summary>
internal sealed unsafe class Q8Activations : IDisposable
{
    private readonly int _capacity;

    public Q8Activations(int maxBatch, int maxColumns)
    {
        _capacity = maxBatch * maxColumns;
        Values = (sbyte*)NativeMemory.AlignedAlloc((nuint)_capacity, 64);
        Scales = (float*)NativeMemory.AlignedAlloc((nuint)(_capacity / 32) * sizeof(float), 64);
    }

    /// <summary>Quantized values, vector after vector.</summary>
    public sbyte* Values { get; private set; }

    /// <summary>One scale per block of 32 values.</summary>
    public float* Scales { get; private set; }

    public bool Fits(int batch, int columns) => (long)batch * columns <= _capacity;

    /// <summary>Quantizes <paramref name="batch"/> vectors of <paramref name="n"/> floats (n a multiple of 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Quantize(float* x, int batch, int n)
    {
        var blocks = batch * n / 32;
        for (var b = 0; b < blocks; b++)
        {
            var src = x + (b * 32);
            var v0 = Vector256.Load(src);
            var v1 = Vector256.Load(src + 8);
            var v2 = Vector256.Load(src + 16);
            var v3 = Vector256.Load(src + 24);
            var amax = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
            var max = Vector256.Max(amax, Vector256.Shuffle(amax, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
            max = Vector256.Max(max, Vector256.Shuffle(max, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
            max = Vector256.Max(max, Vector256.Shuffle(max, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
            var d = max.ToScalar() / 127f;
            Scales[b] = d;
            var inv = Vector256.Create(d == 0 ? 0 : 1f / d);
            var q0 = Vector256.ConvertToInt32(Vector256.Round(v0 * inv));
            var q1 = Vector256.ConvertToInt32(Vector256.Round(v1 * inv));
            var q2 = Vector256.ConvertToInt32(Vector256.Round(v2 * inv));
            var q3 = Vector256.ConvertToInt32(Vector256.Round(v3 * inv));
            var bytes = Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3));
            bytes.Store(Values + (b * 32));
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(Values);
        NativeMemory.AlignedFree(Scales);
        Values = null;
        Scales = null;
    }
}
