using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Kernels;
using Yardmaster.Inference.Quantization;

namespace Yardmaster.Inference.Tests.Kernels;

/// <summary>
/// The vectorized, multi-threaded kernels against a plain reference: the scalar decoder of
/// <see cref="Quantizer"/> and a double-precision dot product.
/// </summary>
public unsafe class MatMulTests
{
    public static TheoryData<GgmlType, int, int> Cases()
    {
        var data = new TheoryData<GgmlType, int, int>();
        foreach (var type in new[] { GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0 })
        {
            foreach (var batch in new[] { 1, 2, 3, 5 })
            {
                foreach (var threads in new[] { 1, 2 })
                {
                    data.Add(type, batch, threads);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_AnyTypeBatchAndThreads_MatchesReferenceDotProducts(GgmlType type, int batch, int threads)
    {
        const int rows = 300;
        const int columns = 96 + 256;
        var random = new Random(7);
        var weights = Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var x = Enumerable.Range(0, batch * columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var rowBytes = (int)GgmlTypeInfo.ByteCount(type, columns);
        var encoded = new byte[rows * rowBytes];
        var decoded = new float[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            Quantizer.Quantize(type, weights.AsSpan(r * columns, columns), encoded.AsSpan(r * rowBytes, rowBytes));
            Quantizer.Dequantize(type, encoded.AsSpan(r * rowBytes, rowBytes), decoded.AsSpan(r * columns, columns));
        }

        // Q8_0 matrices multiply activations quantized to 8 bits per block of 32 (as llama.cpp does):
        // the reference uses the same activations so that only float rounding differs.
        var reference = type == GgmlType.Q8_0 && Dot.IntegerQ8 ? QuantizeActivations(x) : x;
        var y = new float[batch * rows];
        using (var pool = new ComputePool(threads))
        using (var matMul = new MatMul(pool, columns))
        {
            fixed (byte* w = encoded)
            fixed (float* xp = x)
            fixed (float* yp = y)
            {
                matMul.Multiply(new WeightMatrix(w, type, rows, columns), xp, batch, yp, rows);
            }
        }

        for (var b = 0; b < batch; b++)
        {
            for (var r = 0; r < rows; r++)
            {
                double expected = 0;
                for (var c = 0; c < columns; c++)
                {
                    expected += (double)decoded[(r * columns) + c] * reference[(b * columns) + c];
                }

                // Float accumulation over 352 products of magnitude <= 1 in any order: well under 1e-3.
                Assert.True(Math.Abs(expected - y[(b * rows) + r]) < 1e-3, $"row {r} batch {b}: expected {expected}, got {y[(b * rows) + r]}");
            }
        }
    }

    [Fact]
    public void Multiply_Q8_0_StaysWithinActivationQuantizationErrorOfFloatProduct()
    {
        const int rows = 64;
        const int columns = 768;
        var random = new Random(11);
        var weights = Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var x = Enumerable.Range(0, columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var rowBytes = (int)GgmlTypeInfo.ByteCount(GgmlType.Q8_0, columns);
        var encoded = new byte[rows * rowBytes];
        var decoded = new float[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            Quantizer.Quantize(GgmlType.Q8_0, weights.AsSpan(r * columns, columns), encoded.AsSpan(r * rowBytes, rowBytes));
            Quantizer.Dequantize(GgmlType.Q8_0, encoded.AsSpan(r * rowBytes, rowBytes), decoded.AsSpan(r * columns, columns));
        }

        var y = new float[rows];
        using (var pool = new ComputePool(1))
        using (var matMul = new MatMul(pool, columns))
        {
            fixed (byte* w = encoded)
            fixed (float* xp = x)
            fixed (float* yp = y)
            {
                matMul.Multiply(new WeightMatrix(w, GgmlType.Q8_0, rows, columns), xp, 1, yp, rows);
            }
        }

        for (var r = 0; r < rows; r++)
        {
            double exact = 0, magnitude = 0;
            for (var c = 0; c < columns; c++)
            {
                exact += (double)decoded[(r * columns) + c] * x[c];
                magnitude += Math.Abs(decoded[(r * columns) + c]);
            }

            // Each activation moves by at most half a step, amax/254 (amax <= 1): |error| <= sum|w| / 254.
            Assert.True(Math.Abs(exact - y[r]) <= magnitude / 254, $"row {r}: float product {exact}, got {y[r]}");
        }
    }

    [Fact]
    public void HalvesToSingles_EveryBitPattern_MatchesHalfConversion()
    {
        var halves = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var floats = new float[halves.Length];
        fixed (ushort* h = halves)
        fixed (float* f = floats)
        {
            Dot.HalvesToSingles(h, f, halves.Length);
        }

        for (var i = 0; i < halves.Length; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf(halves[i]);
            Assert.True(
                float.IsNaN(expected) ? float.IsNaN(floats[i]) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(floats[i]),
                $"0x{i:X4}: expected {expected}, got {floats[i]}");
        }
    }

    [Fact]
    public void Dequantize_Q8_0_MatchesQuantizerReference()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 256).Select(_ => (float)(random.NextDouble() * 10) - 5).ToArray();
        var encoded = new byte[GgmlTypeInfo.ByteCount(GgmlType.Q8_0, 256)];
        Quantizer.Quantize(GgmlType.Q8_0, values, encoded);
        var reference = new float[256];
        Quantizer.Dequantize(GgmlType.Q8_0, encoded, reference);

        var fast = new float[256];
        fixed (byte* e = encoded)
        fixed (float* f = fast)
        {
            Dot.Dequantize(GgmlType.Q8_0, e, f, 256);
        }

        Assert.Equal(reference, fast);
    }

    [Fact]
    public void Run_JobThatThrows_SurfacesTheErrorAndPoolStaysUsable()
    {
        using var pool = new ComputePool(2);

        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingJob()));
        Assert.IsType<DivideByZeroException>(error.InnerException);
        var counted = new CountingJob(64);
        pool.Run(counted);
        Assert.Equal(64, counted.Count);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(3, 7)]
    [InlineData(2, 64)]
    [InlineData(4, 1000)]
    public void Run_AnyThreadsAndChunks_RunsEveryChunkExactlyOnce(int threads, int chunks)
    {
        using var pool = new ComputePool(threads);

        for (var round = 0; round < 50; round++)
        {
            var job = new RecordingJob(chunks);
            pool.Run(job);
            Assert.All(job.Runs, count => Assert.Equal(1, count));
        }
    }

    private sealed class RecordingJob(int chunks) : ParallelJob(chunks)
    {
        public int[] Runs { get; } = new int[chunks];

        protected override void RunChunk(int chunk, int thread) => Interlocked.Increment(ref Runs[chunk]);
    }

    private sealed class FailingJob() : ParallelJob(8)
    {
        protected override void RunChunk(int chunk, int thread) => throw new DivideByZeroException();
    }

    private sealed class CountingJob(int chunks) : ParallelJob(chunks)
    {
        private int _count;

        public int Count => _count;

        protected override void RunChunk(int chunk, int thread) => Interlocked.Increment(ref _count);
    }

    private static float[] QuantizeActivations(float[] x)
    {
        var result = new float[x.Length];
        for (var block = 0; block < x.Length; block += 32)
        {
            var amax = 0f;
            for (var i = 0; i < 32; i++)
            {
                amax = Math.Max(amax, Math.Abs(x[block + i]));
            }

            var d = amax / 127f;
            for (var i = 0; i < 32; i++)
            {
                result[block + i] = d == 0 ? 0 : MathF.Round(x[block + i] * (1f / d)) * d;
            }
        }

        return result;
    }
}
