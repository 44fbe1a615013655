using System.Runtime.InteropServices;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// Keys and values of one sequence for every layer, up to <see cref="Capacity"/> positions. Native,
/// zero-filled on demand by the OS, so memory becomes resident only as positions are written.
/// Owned by one slot; not thread-safe.
/// </summary>
public sealed unsafe class KvCache : IDisposable
{
    private readonly int _layers;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private float* _keys;
    private float* _values;
    private int _length;

    /// <summary>Allocates a cache for <paramref name="capacity"/> positions of <paramref name="config"/>.</summary>
    public KvCache(LlamaConfig config, int capacity)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _layers = config.Layers;
        _kvHeads = config.KvHeads;
        _headDim = config.HeadDim;
        var count = (nuint)capacity * (nuint)_layers * (nuint)config.KvDim;
        _keys = (float*)NativeMemory.AllocZeroed(count, sizeof(float));
        _values = (float*)NativeMemory.AllocZeroed(count, sizeof(float));
        ByteLength = BytesFor(config, capacity);
    }

    /// <summary>Bytes a cache of <paramref name="capacity"/> positions of <paramref name="config"/> takes (keys and values, F32).</summary>
    public static long BytesFor(LlamaConfig config, int capacity)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (long)capacity * config.Layers * config.KvDim * sizeof(float) * 2;
    }

    /// <summary>Positions the cache holds.</summary>
    public int Capacity { get; }

    /// <summary>Bytes reserved (resident only where written).</summary>
    public long ByteLength { get; }

    /// <summary>Positions filled so far; the next token goes at this position.</summary>
    public int Length
    {
        get => _length;
        set
        {
            _length = value;
            HighWater = Math.Max(HighWater, value);
        }
    }

    /// <summary>The most positions ever filled: the part of the cache the OS has made resident.</summary>
    public int HighWater { get; private set; }

    /// <summary>Bytes one position takes (keys and values of every layer).</summary>
    public long BytesPerPosition => (long)_layers * _kvHeads * _headDim * sizeof(float) * 2;

    /// <summary>Copies the first <paramref name="positions"/> positions out, for <see cref="Restore"/> into this or another cache of the same model.</summary>
    internal SavedKv Save(int positions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(positions, Length);
        var saved = new SavedKv(positions, _layers * _kvHeads * _headDim);
        var run = (long)positions * _headDim;
        for (var l = 0; l < _layers; l++)
        {
            for (var h = 0; h < _kvHeads; h++)
            {
                var at = ((long)l * _kvHeads + h) * run;
                Buffer.MemoryCopy(Keys(l, h, 0), saved.Keys + at, run * sizeof(float), run * sizeof(float));
                Buffer.MemoryCopy(Values(l, h, 0), saved.Values + at, run * sizeof(float), run * sizeof(float));
            }
        }

        return saved;
    }

    /// <summary>Puts positions saved by <see cref="Save"/> back at the start of this cache; <see cref="Length"/> becomes their count.</summary>
    internal void Restore(SavedKv saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (saved.Positions > Capacity || saved.FloatsPerPosition != _layers * _kvHeads * _headDim)
        {
            throw new ArgumentException($"a cache of {saved.Positions} positions of {saved.FloatsPerPosition} floats does not fit one of {Capacity} positions of {_layers * _kvHeads * _headDim}", nameof(saved));
        }

        var run = (long)saved.Positions * _headDim;
        for (var l = 0; l < _layers; l++)
        {
            for (var h = 0; h < _kvHeads; h++)
            {
                var at = ((long)l * _kvHeads + h) * run;
                Buffer.MemoryCopy(saved.Keys + at, Keys(l, h, 0), run * sizeof(float), run * sizeof(float));
                Buffer.MemoryCopy(saved.Values + at, Values(l, h, 0), run * sizeof(float), run * sizeof(float));
            }
        }

        Length = saved.Positions;
    }

    // Layout [layer][kv head][position][head dim]: attention reads one head's keys and values as one
    // contiguous run, which is what the hardware prefetcher streams best.
    internal float* Keys(int layer, int kvHead, int position) => _keys + Offset(layer, kvHead, position);

    internal float* Values(int layer, int kvHead, int position) => _values + Offset(layer, kvHead, position);

    private long Offset(int layer, int kvHead, int position) =>
        ((((long)layer * _kvHeads) + kvHead) * Capacity + position) * _headDim;

    /// <inheritdoc />
    public void Dispose()
    {
        NativeMemory.Free(_keys);
        NativeMemory.Free(_values);
        _keys = null;
        _values = null;
    }
}
