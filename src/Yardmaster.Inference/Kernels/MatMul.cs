using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Kernels;

/// <summary>
/// Y = X · Wᵀ for a batch of input vectors: <c>y[b * ldy + r] = dot(W.row(r), x[b * W.Columns ..])</c>.
/// Rows are handed out in small chunks so that a thread slowed by another process does not hold the
/// others back. Each weight row is read once per batch, which is what makes concurrent sequences cheaper
/// than one at a time: decoding is bound by reading the weights. One instance per forward pass; not
/// thread-safe.
/// </summary>
internal sealed unsafe class MatMul : IDisposable
{
    private readonly ComputePool _pool;
    private readonly float*[] _scratch;
    private readonly int _scratchLength;
    private readonly Q8Activations _q8;

    public MatMul(ComputePool pool, int maxColumns, int maxBatch = 8)
    {
        _pool = pool;
        _scratchLength = maxColumns;
        _q8 = new Q8Activations(maxBatch, maxColumns);
        _scratch = new float*[pool.Threads];
        for (var i = 0; i < _scratch.Length; i++)
        {
            _scratch[i] = (float*)NativeMemory.AlignedAlloc((nuint)maxColumns * sizeof(float), 64);
        }
    }

    /// <summary>Multiplies <paramref name="batch"/> vectors at <paramref name="x"/> (each <c>w.Columns</c> long) into <paramref name="y"/> with row stride <paramref name="ldy"/>.</summary>
    public void Multiply(in WeightMatrix w, float* x, int batch, float* y, int ldy)
    {
        if (w.Columns > _scratchLength)
        {
            throw new ArgumentException($"matrix has {w.Columns} columns, scratch holds {_scratchLength}", nameof(w));
        }

        // About 8 chunks per thread, each at least 4 rows: small enough to balance when a thread is
        // descheduled, large enough to keep each thread's stream of weights long (measured: 16 per thread
        // was ~8% slower on the 110M Q8_0 model, 1 per thread balances nothing).
        var small = w.Rows * (long)w.Columns * batch < 32_768 || _pool.Threads == 1;
        var rowsPerChunk = small ? w.Rows : Math.Max(4, w.Rows / (_pool.Threads * 8));
        var q8 = w.Type == GgmlType.Q8_0 && Dot.IntegerQ8 && _q8.Fits(batch, w.Columns) ? _q8 : null;
        q8?.Quantize(x, batch, w.Columns);
        _pool.Run(new Job(w, x, y, batch, ldy, rowsPerChunk, _scratch, q8));
    }

    public void Dispose()
    {
        foreach (var p in _scratch)
        {
            NativeMemory.AlignedFree(p);
        }

        _q8.Dispose();
    }

    private sealed class Job(WeightMatrix w, float* x, float* y, int batch, int ldy, int rowsPerChunk, float*[] scratch, Q8Activations? q8)
        : ParallelJob((w.Rows + rowsPerChunk - 1) / rowsPerChunk)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunChunk(int chunk, int thread)
        {
            var n = w.Columns;
            var start = chunk * rowsPerChunk;
            var end = Math.Min(start + rowsPerChunk, w.Rows);
            if (q8 is not null)
            {
                Integer(start, end, n, q8);
                return;
            }

            if (w.Type == GgmlType.F32 || (Dot.IsDirect(w.Type) && batch < 3))
            {
                for (var r = start; r < end; r++)
                {
                    var row = w.Row(r);
                    for (var b = 0; b < batch; b++)
                    {
                        y[(b * ldy) + r] = Dot.Row(w.Type, row, x + (b * n), n);
                    }
                }

                return;
            }

            if (w.Type == GgmlType.Q8_0 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            {
                for (var r = start; r < end; r++)
                {
                    var row = w.Row(r);
                    var b = 0;
                    for (; b + 4 <= batch; b += 4)
                    {
                        Dot.Q8_0x4(row, x + (b * n), n, n, y + (b * ldy) + r, ldy);
                    }

                    for (; b < batch; b++)
                    {
                        y[(b * ldy) + r] = Dot.Q8_0(row, x + (b * n), n);
                    }
                }

                return;
            }

            var buffer = scratch[thread];
            for (var r = start; r < end; r++)
            {
                Dot.Dequantize(w.Type, w.Row(r), buffer, n);
                for (var b = 0; b < batch; b++)
                {
                    y[(b * ldy) + r] = Dot.F32(buffer, x + (b * n), n);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Integer(int start, int end, int n, Q8Activations q8)
        {
            var scales = n / 32;
            for (var r = start; r < end; r++)
            {
                var row = w.Row(r);
                var b = 0;
                for (; b + 4 <= batch; b += 4)
                {
                    Dot.Q8_0Q8x4(row, q8.Values + (b * n), q8.Scales + (b * scales), n, n, y + (b * ldy) + r, ldy);
                }

                for (; b < batch; b++)
                {
                    y[(b * ldy) + r] = Dot.Q8_0Q8(row, q8.Values + (b * n), q8.Scales + (b * scales), n);
                }
            }
        }
    }
}
