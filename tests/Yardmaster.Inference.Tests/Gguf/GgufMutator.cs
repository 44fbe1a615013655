using System.Buffers.Binary;
using System.Globalization;

namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>
/// Deterministic mutations of a <see cref="GgufFuzzCorpus"/> file: the same corpus, kind and seed always
/// give the same bytes. Byte-level positions favour the header, where the parser lives.
/// </summary>
public static class GgufMutator
{
    private static readonly ulong[] _edgeValues =
    [
        0, 1, 2, 3, 4, 7, 8, 9, 12, 13, 16, 31, 32, 33, 63, 64, 127, 128, 255, 256, 4095, 4096, 65535, 65536,
        (1 << 24) - 1, 1 << 24, int.MaxValue, 1UL << 31, uint.MaxValue, 1UL << 32, (1UL << 40) - 1, 1UL << 40, (1UL << 40) + 1, 1UL << 50,
        1UL << 62, long.MaxValue, 1UL << 63, ulong.MaxValue - 31, ulong.MaxValue,
    ];

    private static readonly ulong[] _alignments = [0, 1, 2, 3, 8, 16, 24, 31, 32, 48, 64, 128, 4096, 1 << 20, 1 << 21, 1UL << 31, uint.MaxValue];

    public static async Task<GgufMutant> MutateAsync(GgufFuzzCorpus corpus, GgufMutationKind kind, int seed)
    {
        var random = new Random(seed);
        return kind switch
        {
            GgufMutationKind.BitFlip => BitFlip(corpus, random),
            GgufMutationKind.ByteOverwrite => Overwrite(corpus, random),
            GgufMutationKind.Truncation => Truncate(corpus, random),
            GgufMutationKind.Insertion => Insert(corpus, random),
            GgufMutationKind.Deletion => Delete(corpus, random),
            GgufMutationKind.HeaderField => HeaderField(corpus, random),
            _ => await GgufRewriter.RewriteAsync(corpus, random),
        };
    }

    /// <summary>A position, in the header 3 times out of 4.</summary>
    private static int Position(GgufFuzzCorpus corpus, Random random, int length) =>
        random.Next(4) < 3 ? random.Next((int)Math.Min(corpus.DataOffset, length)) : random.Next(length);

    private static GgufMutant BitFlip(GgufFuzzCorpus corpus, Random random)
    {
        var bytes = corpus.Bytes.ToArray();
        var flips = new List<string>();
        for (var i = random.Next(1, 9); i > 0; i--)
        {
            var at = Position(corpus, random, bytes.Length);
            var bit = random.Next(8);
            bytes[at] ^= (byte)(1 << bit);
            flips.Add(string.Create(CultureInfo.InvariantCulture, $"bit {bit} of byte {at}"));
        }

        return new(bytes, "flipped " + string.Join(", ", flips));
    }

    private static GgufMutant Overwrite(GgufFuzzCorpus corpus, Random random)
    {
        var bytes = corpus.Bytes.ToArray();
        var at = Position(corpus, random, bytes.Length);
        var count = Math.Min(random.Next(1, 17), bytes.Length - at);
        var fill = random.Next(3);
        for (var i = 0; i < count; i++)
        {
            bytes[at + i] = fill switch { 0 => 0x00, 1 => 0xFF, _ => (byte)random.Next(256) };
        }

        var with = fill switch { 0 => "0x00", 1 => "0xFF", _ => "random bytes" };
        return new(bytes, string.Create(CultureInfo.InvariantCulture, $"overwrote {count} bytes at {at} with {with}"));
    }

    private static GgufMutant Truncate(GgufFuzzCorpus corpus, Random random)
    {
        var length = random.Next(2) == 0 ? random.Next((int)corpus.DataOffset + 64) : random.Next(corpus.Bytes.Length);
        return new(corpus.Bytes[..length], string.Create(CultureInfo.InvariantCulture, $"truncated to {length} bytes"));
    }

    private static GgufMutant Insert(GgufFuzzCorpus corpus, Random random)
    {
        var at = Position(corpus, random, corpus.Bytes.Length);
        var inserted = new byte[random.Next(1, 65)];
        random.NextBytes(inserted);
        byte[] bytes = [.. corpus.Bytes.AsSpan(0, at), .. inserted, .. corpus.Bytes.AsSpan(at)];
        return new(bytes, string.Create(CultureInfo.InvariantCulture, $"inserted {inserted.Length} random bytes at {at}"));
    }

    private static GgufMutant Delete(GgufFuzzCorpus corpus, Random random)
    {
        var at = Position(corpus, random, corpus.Bytes.Length);
        var count = Math.Min(random.Next(1, 65), corpus.Bytes.Length - at);
        byte[] bytes = [.. corpus.Bytes.AsSpan(0, at), .. corpus.Bytes.AsSpan(at + count)];
        return new(bytes, string.Create(CultureInfo.InvariantCulture, $"deleted {count} bytes at {at}"));
    }

    private static GgufMutant HeaderField(GgufFuzzCorpus corpus, Random random)
    {
        // A kind first, then a field of it, so that the three n_dims fields weigh as much as 32,000 string lengths.
        var kinds = corpus.Fields.Fields.Select(f => f.Kind).Distinct().ToList();
        var fields = corpus.Fields.OfKind(kinds[random.Next(kinds.Count)]);
        var field = fields[random.Next(fields.Count)];
        var bytes = corpus.Bytes.ToArray();
        var span = bytes.AsSpan((int)field.Offset, field.Size);
        var original = field.Size switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(span),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(span),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(span),
        };
        var value = EdgeValue(field, original, corpus.Bytes.Length, random);
        switch (field.Size)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(span, value); break;
        }

        var written = field.Size == 8 ? value : value & ((1UL << (field.Size * 8)) - 1);
        return new(bytes, string.Create(CultureInfo.InvariantCulture,
            $"set {field.Kind} field {field.Name} at byte {field.Offset} from {original} to {written}"));
    }

    private static ulong EdgeValue(GgufField field, ulong original, long fileLength, Random random)
    {
        switch (field.Kind)
        {
            case GgufFieldKind.ValueType or GgufFieldKind.ArrayType or GgufFieldKind.TensorType or GgufFieldKind.DimensionCount:
                // Every small number (known and unknown tags), sometimes a huge one.
                return random.Next(8) == 0 ? _edgeValues[random.Next(_edgeValues.Length)] : (ulong)random.Next(32);
            case GgufFieldKind.Version:
                return (ulong)(random.Next(2) == 0 ? random.Next(5) : 0x03000000);
            case GgufFieldKind.Alignment:
                return _alignments[random.Next(_alignments.Length)];
            default:
                break;
        }

        return random.Next(8) switch
        {
            0 => original + 1,
            1 => original - 1,
            2 => original * 2,
            3 => original / 2,
            4 => (ulong)fileLength,
            5 => (ulong)random.NextInt64(),
            _ => _edgeValues[random.Next(_edgeValues.Length)],
        };
    }
}
