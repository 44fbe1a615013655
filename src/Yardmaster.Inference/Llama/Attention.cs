using System.Runtime.InteropServices;
using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// Causal grouped-query attention for a batch: each (token, head) pair attends over its own sequence's
/// cached keys and values up to its position. Pairs are shared out between compute threads.
/// </summary>
internal sealed unsafe class Attention : IParallelWork, IDisposable
{
    private readonly LlamaConfig _config;
    private readonly float*[] _scores;
    private BatchToken[] _batch = [];
    private int _count;
    private int _layer;
    private float* _q;
    private float* _out;
    private int _next;

    public Attention(LlamaConfig config, int threads, int maxContext)
    {
        _config = config;
        _scores = new float*[threads];
        for (var i = 0; i < threads; i++)
        {
            _scores[i] = (float*)NativeMemory.AlignedAlloc((nuint)maxContext * sizeof(float), 64);
        }
    }

    public void Run(ComputePool pool, BatchToken[] batch, int count, int layer, float* q, float* output)
    {
        _batch = batch;
        _count = count;
        _layer = layer;
        _q = q;
        _out = output;
        _next = 0;
        long work = 0;
        for (var i = 0; i < count; i++)
        {
            work += batch[i].Position + 1;
        }

        if (work * _config.QueryDim < 65_536)
        {
            Execute(0, 1);
        }
        else
        {
            pool.Run(this);
        }
    }

    public void Execute(int thread, int threads)
    {
        var c = _config;
        var scores = _scores[thread];
        var group = c.Heads / c.KvHeads;
        var scale = 1f / MathF.Sqrt(c.HeadDim);
        var pairs = _count * c.Heads;
        int pair;
        while ((pair = Interlocked.Increment(ref _next) - 1) < pairs)
        {
            var e = pair / c.Heads;
            var h = pair % c.Heads;
            var token = _batch[e];
            var q = _q + ((long)e * c.QueryDim) + (h * c.HeadDim);
            var kvOffset = (h / group) * c.HeadDim;
            var length = token.Position + 1;
            var max = float.NegativeInfinity;
            for (var t = 0; t < length; t++)
            {
                var s = Dot.F32(q, token.Cache.Keys(_layer, t) + kvOffset, c.HeadDim) * scale;
                scores[t] = s;
                max = MathF.Max(max, s);
            }

            var sum = 0f;
            for (var t = 0; t < length; t++)
            {
                var p = MathF.Exp(scores[t] - max);
                scores[t] = p;
                sum += p;
            }

            var output = new Span<float>(_out + ((long)e * c.QueryDim) + (h * c.HeadDim), c.HeadDim);
            output.Clear();
            var inv = 1f / sum;
            for (var t = 0; t < length; t++)
            {
                VectorMath.AddScaled(output, new ReadOnlySpan<float>(token.Cache.Values(_layer, t) + kvOffset, c.HeadDim), scores[t] * inv);
            }
        }
    }

    public void Dispose()
    {
        foreach (var p in _scores)
        {
            NativeMemory.AlignedFree(p);
        }
    }
}
