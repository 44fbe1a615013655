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
                    expected += (double)decoded[(r * columns) + c] * x[(b * columns) + c];
                }

                // Float accumulation over 352 products of magnitude <= 1 in any order: well under 1e-3.
                Assert.True(Math.Abs(expected - y[(b * rows) + r]) < 1e-3, $"row {r} batch {b}: expected {expected}, got {y[(b * rows) + r]}");
            }
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
}
