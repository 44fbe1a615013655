using System.Buffers;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Quantization;

namespace Yardmaster.Inference.Synthetic;

/// <summary>
/// Data callbacks for <see cref="GgufWriter"/> that generate a tensor chunk by chunk, so only one chunk
/// of floats and its encoding are in memory at a time whatever the model's size.
/// </summary>
internal static class SyntheticTensors
{
    /// <summary>Elements per chunk: a multiple of every block size.</summary>
    public const int ChunkElements = 1 << 16;

    /// <summary>
    /// Approximately normal weights with standard deviation 1/√(row length), from a generator seeded by
    /// <paramref name="seed"/> and <paramref name="name"/>: a matrix-vector product over a unit-RMS input
    /// then has unit-variance outputs, so activations and logits stay O(1) at any width.
    /// </summary>
    public static Func<Stream, CancellationToken, ValueTask> Random(string name, IReadOnlyList<long> dimensions, GgmlType type, ulong seed)
    {
        var elements = dimensions.Aggregate(1L, (n, d) => n * d);
        var std = 1f / MathF.Sqrt(dimensions[0]);
        return async (stream, ct) =>
        {
            var random = SyntheticRandom.ForTensor(seed, name);
            var values = ArrayPool<float>.Shared.Rent(ChunkElements);
            var bytes = ArrayPool<byte>.Shared.Rent((int)GgmlTypeInfo.ByteCount(GgmlType.F32, ChunkElements));
            try
            {
                for (var remaining = elements; remaining > 0;)
                {
                    ct.ThrowIfCancellationRequested();
                    var n = (int)Math.Min(ChunkElements, remaining);
                    random.FillNormal(values.AsSpan(0, n), std);
                    var count = (int)GgmlTypeInfo.ByteCount(type, n);
                    Quantizer.Quantize(type, values.AsSpan(0, n), bytes.AsSpan(0, count));
                    await stream.WriteAsync(bytes.AsMemory(0, count), ct).ConfigureAwait(false);
                    remaining -= n;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(values);
                ArrayPool<byte>.Shared.Return(bytes);
            }
        };
    }

    /// <summary>An F32 tensor of ones: the RMS-norm weights of a freshly initialised model.</summary>
    public static ReadOnlyMemory<byte> Ones(int elements)
    {
        var bytes = new byte[elements * sizeof(float)];
        Quantizer.Quantize(GgmlType.F32, Enumerable.Repeat(1f, elements).ToArray(), bytes);
        return bytes;
    }
}
