using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// Causal grouped-query attention for a batch: each (token, head) pair attends over its own sequence's
/// cached keys and values up to its position. Pairs are shared out between compute threads.
/// </summary>
internal sealed unsafe class Attention : IDisposable
{
    private readonly LlamaConfig _config;
    private readonly float*[] _scores;

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
        long work = 0;
        for (var i = 0; i < count; i++)
        {
            work += batch[i].Position + 1 - batch[i].Start;
        }

        // One chunk per (token, head) pair; tiny batches run on the caller alone.
        var pairs = count * _config.Heads;
        var job = new Job(this, batch, layer, q, output, work * _config.QueryDim < 65_536 ? 1 : pairs, pairs);
        pool.Run(job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Head(BatchToken token, int e, int h, int layer, float* qs, float* outs, float* scores)
    {
        var c = _config;
        var group = c.Heads / c.KvHeads;
        var scale = 1f / MathF.Sqrt(c.HeadDim);
        var q = qs + ((long)e * c.QueryDim) + (h * c.HeadDim);
        var kvHead = h / group;
        var keys = token.Cache.Keys(layer, kvHead, token.Start);
        var values = token.Cache.Values(layer, kvHead, token.Start);
        var length = token.Position + 1 - token.Start;
        var max = float.NegativeInfinity;
        for (var t = 0; t < length; t++)
        {
            var s = Dot.F32(q, keys + ((long)t * c.HeadDim), c.HeadDim) * scale;
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

        var output = outs + ((long)e * c.QueryDim) + (h * c.HeadDim);
        new Span<float>(output, c.HeadDim).Clear();
        var inv = 1f / sum;
        for (var t = 0; t < length; t++)
        {
            VectorMath.AddScaled(output, values + ((long)t * c.HeadDim), scores[t] * inv, c.HeadDim);
        }
    }

    public void Dispose()
    {
        foreach (var p in _scores)
        {
            NativeMemory.AlignedFree(p);
        }
    }

    private sealed class Job(Attention owner, BatchToken[] batch, int layer, float* q, float* output, int chunks, int pairs)
        : ParallelJob(chunks)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void RunChunk(int chunk, int thread)
        {
            var heads = owner._config.Heads;
            var per = (pairs + Chunks - 1) / Chunks;
            for (var pair = chunk * per; pair < Math.Min(pairs, (chunk + 1) * per); pair++)
            {
                owner.Head(batch[pair / heads], pair / heads, pair % heads, layer, q, output, owner._scores[thread]);
            }
        }
    }
}
