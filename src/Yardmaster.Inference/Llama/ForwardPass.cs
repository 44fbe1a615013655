using System.Globalization;
using System.Runtime.InteropServices;
using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// Runs the llama forward pass for a batch of tokens from any number of sequences: each weight matrix
/// is read once per batch. Owns the scratch buffers and compute threads; one caller at a time.
/// </summary>
public sealed unsafe class ForwardPass : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaConfig _c;
    private readonly ComputePool _pool;
    private readonly MatMul _matMul;
    private readonly Attention _attention;
    private readonly float* _x;
    private readonly float* _xb;
    private readonly float* _q;
    private readonly float* _k;
    private readonly float* _v;
    private readonly float* _att;
    private readonly float* _hb;
    private readonly float* _hb2;
    private readonly float* _logits;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly float[] _hidden;
    private readonly List<nint> _allocations = [];
    private int _logitRows;

    /// <summary>Creates a pass for batches of up to <paramref name="maxBatch"/> tokens on <paramref name="threads"/> threads.</summary>
    public ForwardPass(LlamaModel model, int maxBatch, int threads, int maxContext)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _model = model;
        _c = model.Config;
        MaxBatch = maxBatch;
        _pool = new ComputePool(threads);
        _matMul = new MatMul(_pool, Math.Max(Math.Max(_c.Dim, _c.QueryDim), _c.HiddenDim), maxBatch);
        _attention = new Attention(_c, threads, maxContext);
        _x = Alloc(_c.Dim);
        _xb = Alloc(Math.Max(_c.Dim, _c.QueryDim));
        _q = Alloc(_c.QueryDim);
        _k = Alloc(_c.KvDim);
        _v = Alloc(_c.KvDim);
        _att = Alloc(_c.QueryDim);
        _hb = Alloc(_c.HiddenDim);
        _hb2 = Alloc(_c.HiddenDim);
        _logits = Alloc(_c.VocabularySize);
        _cos = new float[maxBatch * (_c.RopeDimensions / 2)];
        _sin = new float[maxBatch * (_c.RopeDimensions / 2)];
        _hidden = new float[_c.Dim];
    }

    /// <summary>Most tokens one <see cref="Run"/> takes.</summary>
    public int MaxBatch { get; }

    /// <summary>Compute threads.</summary>
    public int Threads => _pool.Threads;

    /// <summary>Threads the next <see cref="Run"/> uses, 1 to <see cref="Threads"/> (default all); the others sleep.</summary>
    public int ActiveThreads
    {
        get => _pool.Active;
        set => _pool.Active = value;
    }

    /// <summary>
    /// Runs the batch: writes every token's keys and values into its cache, computes logits for the
    /// tokens that want them, retrievable by <see cref="Logits"/> in batch order, and adds the normed
    /// hidden state of every token with a <see cref="BatchToken.Pool"/> to it. Throws
    /// <see cref="ArgumentException"/> for a token id out of the vocabulary or a position beyond a cache.
    /// </summary>
    public void Run(ReadOnlySpan<BatchToken> batch)
    {
        if (batch.Length == 0 || batch.Length > MaxBatch)
        {
            throw new ArgumentException($"batch of {batch.Length} tokens (1..{MaxBatch} allowed)", nameof(batch));
        }

        var n = batch.Length;
        var tokens = batch.ToArray();
        var half = _c.RopeDimensions / 2;
        for (var e = 0; e < n; e++)
        {
            var t = tokens[e];
            if ((uint)t.Token >= (uint)_c.VocabularySize || (uint)t.Position >= (uint)t.Cache.Capacity || (uint)t.Start > (uint)t.Position
                || (t.Pool is { } pool && pool.Length != _c.Dim))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"token {t.Token} at position {t.Position} from {t.Start}: ids must be below {_c.VocabularySize}, positions below {t.Cache.Capacity} and not before the start, a pool {_c.Dim} long"), nameof(batch));
            }

            Dot.Dequantize(_model.Embedding.Type, _model.Embedding.Row(t.Token), _x + ((long)e * _c.Dim), _c.Dim);
            VectorMath.RopeAngles(t.Position - t.Start, _c.RopeDimensions, _c.RopeFrequencyBase, _cos.AsSpan(e * half, half), _sin.AsSpan(e * half, half));
        }

        for (var l = 0; l < _c.Layers; l++)
        {
            Layer(l, _model.Layers[l], tokens, n);
        }

        _logitRows = 0;
        for (var e = 0; e < n; e++)
        {
            if (tokens[e].Pool is { } pool)
            {
                VectorMath.RmsNorm(_hidden, Span(_x, e, _c.Dim), _model.OutputNorm, _c.RmsEpsilon);
                VectorMath.Add(pool, _hidden);
            }

            if (tokens[e].WantLogits)
            {
                VectorMath.RmsNorm(Span(_xb, _logitRows, _c.Dim), Span(_x, e, _c.Dim), _model.OutputNorm, _c.RmsEpsilon);
                _logitRows++;
            }

            tokens[e].Cache.Length = Math.Max(tokens[e].Cache.Length, tokens[e].Position + 1);
        }

        if (_logitRows > 0)
        {
            _matMul.Multiply(_model.Output, _xb, _logitRows, _logits, _c.VocabularySize);
        }
    }

    /// <summary>Logits after the <paramref name="index"/>-th token of the last batch that wanted them.</summary>
    public ReadOnlySpan<float> Logits(int index) =>
        (uint)index < (uint)_logitRows
            ? new ReadOnlySpan<float>(_logits + ((long)index * _c.VocabularySize), _c.VocabularySize)
            : throw new ArgumentOutOfRangeException(nameof(index));

    /// <inheritdoc />
    public void Dispose()
    {
        _pool.Dispose();
        _matMul.Dispose();
        _attention.Dispose();
        foreach (var p in _allocations)
        {
            NativeMemory.AlignedFree((void*)p);
        }

        _allocations.Clear();
    }

    private void Layer(int l, LlamaLayer w, BatchToken[] tokens, int n)
    {
        var half = _c.RopeDimensions / 2;
        for (var e = 0; e < n; e++)
        {
            VectorMath.RmsNorm(Span(_xb, e, _c.Dim), Span(_x, e, _c.Dim), w.AttentionNorm, _c.RmsEpsilon);
        }

        _matMul.Multiply(w.Query, _xb, n, _q, _c.QueryDim);
        _matMul.Multiply(w.Key, _xb, n, _k, _c.KvDim);
        _matMul.Multiply(w.Value, _xb, n, _v, _c.KvDim);
        for (var e = 0; e < n; e++)
        {
            var cos = _cos.AsSpan(e * half, half);
            var sin = _sin.AsSpan(e * half, half);
            VectorMath.Rope(Span(_q, e, _c.QueryDim), _c.Heads, _c.HeadDim, cos, sin);
            VectorMath.Rope(Span(_k, e, _c.KvDim), _c.KvHeads, _c.HeadDim, cos, sin);
            var t = tokens[e];
            for (var g = 0; g < _c.KvHeads; g++)
            {
                Span(_k, e, _c.KvDim).Slice(g * _c.HeadDim, _c.HeadDim).CopyTo(new Span<float>(t.Cache.Keys(l, g, t.Position), _c.HeadDim));
                Span(_v, e, _c.KvDim).Slice(g * _c.HeadDim, _c.HeadDim).CopyTo(new Span<float>(t.Cache.Values(l, g, t.Position), _c.HeadDim));
            }
        }

        _attention.Run(_pool, tokens, n, l, _q, _att);
        _matMul.Multiply(w.Output, _att, n, _xb, _c.Dim);
        for (var e = 0; e < n; e++)
        {
            VectorMath.Add(Span(_x, e, _c.Dim), Span(_xb, e, _c.Dim));
            VectorMath.RmsNorm(Span(_xb, e, _c.Dim), Span(_x, e, _c.Dim), w.FeedForwardNorm, _c.RmsEpsilon);
        }

        _matMul.Multiply(w.Gate, _xb, n, _hb, _c.HiddenDim);
        _matMul.Multiply(w.Up, _xb, n, _hb2, _c.HiddenDim);
        for (var e = 0; e < n; e++)
        {
            VectorMath.SwiGlu(Span(_hb, e, _c.HiddenDim), Span(_hb2, e, _c.HiddenDim));
        }

        _matMul.Multiply(w.Down, _hb, n, _xb, _c.Dim);
        for (var e = 0; e < n; e++)
        {
            VectorMath.Add(Span(_x, e, _c.Dim), Span(_xb, e, _c.Dim));
        }
    }

    private static Span<float> Span(float* buffer, int row, int width) => new(buffer + ((long)row * width), width);

    private float* Alloc(int width)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)MaxBatch * (nuint)width * sizeof(float), 64);
        _allocations.Add((nint)p);
        return p;
    }
}
