using System.Globalization;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>
/// Mutations that keep the file well formed (it is written again by <see cref="GgufWriter"/>) but change
/// what it says: a metadata value of another type or range, a key or tensor gone, a tensor of another
/// shape, type or name, another alignment. They reach the model loader rather than the parser.
/// </summary>
public static class GgufRewriter
{
    private static readonly GgufValue[] _values =
    [
        GgufValue.From(ulong.MaxValue), GgufValue.From(1UL << 63), GgufValue.From(-1L), GgufValue.From(long.MinValue),
        GgufValue.From(-1), GgufValue.From(0), GgufValue.From(0u), GgufValue.From(1u), GgufValue.From(2u), GgufValue.From(3u),
        GgufValue.From(1u << 24), GgufValue.From((1u << 24) + 1), GgufValue.From(uint.MaxValue), GgufValue.From((ushort)7), GgufValue.From((byte)1),
        GgufValue.From((sbyte)-1), GgufValue.From(float.NaN), GgufValue.From(float.PositiveInfinity), GgufValue.From(-1f),
        GgufValue.From(0f), GgufValue.From(1e308), GgufValue.From(true), GgufValue.From("gpt2"), GgufValue.From("mamba"),
        GgufValue.From(string.Empty), GgufValue.From("llama"), GgufValue.From(new GgufArray(GgufValueType.UInt32, new uint[] { 1, 2 })),
        GgufValue.From(new GgufArray(GgufValueType.String, Array.Empty<string>())),
        GgufValue.From(new GgufArray(GgufValueType.Array, new[] { new GgufArray(GgufValueType.Float32, new[] { 1f }) })),
    ];

    private static readonly GgmlType[] _types =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_K,
        GgmlType.Q6_K, GgmlType.I32, GgmlType.F64,
    ];

    private static readonly int[] _alignments = [1, 2, 8, 16, 64, 128, 4096];

    public static async Task<GgufMutant> RewriteAsync(GgufFuzzCorpus corpus, Random random)
    {
        var copy = corpus.Contents.Clone();
        var metadata = copy.Metadata;
        var tensors = copy.Tensors;
        var t = random.Next(tensors.Count);
        var (name, dims, type, data) = tensors[t];
        string description;
        switch (random.Next(7))
        {
            case 0:
            {
                var model = metadata.Where(kv => kv.Key.StartsWith("llama.", StringComparison.Ordinal) || kv.Key == "general.architecture").ToList();
                var pool = model.Count > 0 && random.Next(4) > 0 ? model : metadata;
                var key = pool[random.Next(pool.Count)].Key;
                var value = _values[random.Next(_values.Length)];
                copy.Set(key, value);
                description = $"set metadata \"{key}\" to {value.Type} {value}";
                break;
            }

            case 1:
            {
                var i = random.Next(metadata.Count);
                description = $"removed metadata \"{metadata[i].Key}\"";
                metadata.RemoveAt(i);
                break;
            }

            case 2:
                copy.Remove(name);
                description = $"removed tensor {name}";
                break;
            case 3:
            {
                var u = random.Next(tensors.Count);
                var other = tensors[u].Name;
                (tensors[t], tensors[u]) = (tensors[t] with { Name = other }, tensors[u] with { Name = name });
                description = $"swapped the names of tensors {name} and {other}";
                break;
            }

            case 4:
            {
                var reshaped = Reshape(dims, random);
                if (reshaped[0] % GgmlTypeInfo.BlockSize(type) != 0)
                {
                    reshaped = dims;
                }

                copy.Replace(new(name, reshaped, type, Data(type, reshaped, data, random)));
                description = $"reshaped tensor {name} from [{string.Join(", ", dims)}] to [{string.Join(", ", reshaped)}]";
                break;
            }

            case 5:
            {
                var retyped = _types[random.Next(_types.Length)];
                if (dims[0] % GgmlTypeInfo.BlockSize(retyped) != 0)
                {
                    retyped = GgmlType.F16;
                }

                copy.Replace(new(name, dims, retyped, Data(retyped, dims, ReadOnlyMemory<byte>.Empty, random)));
                description = $"retyped tensor {name} from {type} to {retyped} (random data)";
                break;
            }

            default:
                copy.Alignment = _alignments[random.Next(_alignments.Length)];
                description = string.Create(CultureInfo.InvariantCulture, $"rewrote with alignment {copy.Alignment}");
                break;
        }

        return new(await copy.ToBytesAsync(), "rewrite: " + description);
    }

    private static long[] Reshape(long[] dims, Random random)
    {
        var elements = dims.Aggregate(1L, (n, d) => n * d);
        return random.Next(4) switch
        {
            0 => dims.Reverse().ToArray(),
            1 => [elements],
            2 when dims.Length < 4 => [.. dims, 1],
            _ => [.. dims[..^1], Math.Max(1, random.Next(2) == 0 ? dims[^1] + 1 : dims[^1] - 1)],
        };
    }

    /// <summary>The old bytes when the size is unchanged, else random bytes of the new size.</summary>
    private static ReadOnlyMemory<byte> Data(GgmlType type, long[] dims, ReadOnlyMemory<byte> old, Random random)
    {
        var length = GgmlTypeInfo.ByteCount(type, dims.Aggregate(1L, (n, d) => n * d));
        if (length == old.Length)
        {
            return old;
        }

        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
