using System.Runtime.InteropServices;

namespace Yardmaster.Inference.Llama;

/// <summary>
/// Keys and values of a sequence's first positions copied out of a <see cref="KvCache"/> (a preempted sequence's
/// cache, kept while another sequence uses its slot), laid out [layer][kv head][position][head dim]. Native memory,
/// freed by <see cref="Dispose"/>. Not thread-safe.
/// </summary>
internal sealed unsafe class SavedKv : IDisposable
{
    public SavedKv(int positions, int floatsPerPosition)
    {
        Positions = positions;
        FloatsPerPosition = floatsPerPosition;
        var count = Math.Max(1, (nuint)positions * (nuint)floatsPerPosition);
        Keys = (float*)NativeMemory.Alloc(count, sizeof(float));
        Values = (float*)NativeMemory.Alloc(count, sizeof(float));
    }

    /// <summary>Positions held.</summary>
    public int Positions { get; }

    /// <summary>Floats per position in each of keys and values (layers × kv heads × head dim).</summary>
    public int FloatsPerPosition { get; }

    /// <summary>Bytes held (keys and values).</summary>
    public long ByteLength => (long)Positions * FloatsPerPosition * sizeof(float) * 2;

    public float* Keys { get; private set; }

    public float* Values { get; private set; }

    public void Dispose()
    {
        NativeMemory.Free(Keys);
        NativeMemory.Free(Values);
        Keys = null;
        Values = null;
    }
}
