using System.Runtime.InteropServices;

namespace Yardmaster.Inference.Kernels;

/// <summary>
/// Y = X · Wᵀ for a batch of input vectors: <c>y[b * ldy + r] = dot(W.row(r), x[b * W.Columns ..])</c>.
/// Rows are handed out in chunks from a shared counter so that a thread slowed by another process does
/// not hold the others back. Each weight row is read once per batch, which is what makes concurrent
/// sequences cheaper than one at a time: decoding is bound by reading the weights.
/// One instance per forward pass context; not thread-safe.
/// </summary>
internal sealed unsafe class MatMul : IParallelWork, IDisposable
{
    private readonly ComputePool _pool;
    private readonly float*[] _scratch;
    private readonly int _scratchLength;
    private WeightMatrix _w;
    private float* _x;
    private float* _y;
    private int _batch;
    private int _ldy;
    private int _nextRow;
    private int _chunk;

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

        _w = w;
        _x = x;
        _y = y;
        _batch = batch;
        _ldy = ldy;
        _nextRow = 0;
        var perThread = (w.Rows + _pool.Threads - 1) / _pool.Threads;
        _chunk = Math.Clamp(perThread / 8, 8, 256);
        if (w.Rows * (long)w.Columns * batch < 32_768)
        {
            Execute(0, 1);
        }
        else
        {
            _pool.Run(this);
        }
    }

    public void Execute(int thread, int threads)
    {
        var w = _w;
        var n = w.Columns;
        var direct = w.Type == Gguf.GgmlType.F32 || (Dot.IsDirect(w.Type) && _batch < 3);
        var scratch = _scratch[thread];
        while (true)
        {
            var start = Interlocked.Add(ref _nextRow, _chunk) - _chunk;
            if (start >= w.Rows)
            {
                return;
            }

            var end = Math.Min(start + _chunk, w.Rows);
            for (var r = start; r < end; r++)
            {
                var row = w.Row(r);
                if (direct)
                {
                    for (var b = 0; b < _batch; b++)
                    {
                        _y[(b * _ldy) + r] = Dot.Row(w.Type, row, _x + (b * n), n);
                    }
                }
                else
                {
                    Dot.Dequantize(w.Type, row, scratch, n);
                    for (var b = 0; b < _batch; b++)
                    {
                        _y[(b * _ldy) + r] = Dot.F32(scratch, _x + (b * n), n);
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var p in _scratch)
        {
            NativeMemory.AlignedFree(p);
        }
    }
}
