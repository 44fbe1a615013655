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

    public MatMul(ComputePool pool, int maxColumns)
    {
        _pool = pool;
        _scratchLength = maxColumns;
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

        // About 16 chunks per thread, each at least 4 rows: small enough to balance, large enough that
        // claiming one costs nothing next to the ~10 KB of weights it reads.
        var small = w.Rows * (long)w.Columns * batch < 32_768 || _pool.Threads == 1;
        var rowsPerChunk = small ? w.Rows : Math.Max(4, w.Rows / (_pool.Threads * 16));
        _pool.Run(new Job(w, x, y, batch, ldy, rowsPerChunk, _scratch));
    }

    public void Dispose()
    {
        foreach (var p in _scratch)
        {
            NativeMemory.AlignedFree(p);
        }
    }

    private sealed class Job(WeightMatrix w, float* x, float* y, int batch, int ldy, int rowsPerChunk, float*[] scratch)
        : ParallelJob((w.Rows + rowsPerChunk - 1) / rowsPerChunk)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunChunk(int chunk, int thread)
        {
            var n = w.Columns;
            var start = chunk * rowsPerChunk;
            var end = Math.Min(start + rowsPerChunk, w.Rows);
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
    }
}
