using System.Buffers.Binary;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests.Gguf;

public class GgufWriterTests
{
    private static readonly CancellationToken _ct = CancellationToken.None;

    [Fact]
    public async Task WriteAsync_EveryValueType_RoundTripsThroughGgufFile()
    {
        using var dir = new TempDirectory();
        var nested = new GgufArray(GgufValueType.Array, new[]
        {
            new GgufArray(GgufValueType.Int32, new[] { 1, -2, 3 }),
            new GgufArray(GgufValueType.Array, new[] { new GgufArray(GgufValueType.String, new[] { "deep", "" }) }),
            new GgufArray(GgufValueType.Float64, Array.Empty<double>()),
        });
        var values = new (string Key, GgufValue Value)[]
        {
            ("t.u8", GgufValue.From((byte)200)),
            ("t.i8", GgufValue.From((sbyte)-100)),
            ("t.u16", GgufValue.From((ushort)65000)),
            ("t.i16", GgufValue.From((short)-32000)),
            ("t.u32", GgufValue.From(4_000_000_000u)),
            ("t.i32", GgufValue.From(-2_000_000_000)),
            ("t.f32", GgufValue.From(3.25f)),
            ("t.bool", GgufValue.From(true)),
            ("t.string", GgufValue.From("héllo ▁wörld")),
            ("t.u64", GgufValue.From(ulong.MaxValue)),
            ("t.i64", GgufValue.From(long.MinValue)),
            ("t.f64", GgufValue.From(Math.PI)),
            ("a.u8", GgufValue.From(new GgufArray(GgufValueType.UInt8, new byte[] { 0, 255 }))),
            ("a.i8", GgufValue.From(new GgufArray(GgufValueType.Int8, new sbyte[] { -128, 127 }))),
            ("a.u16", GgufValue.From(new GgufArray(GgufValueType.UInt16, new ushort[] { 1, 65535 }))),
            ("a.i16", GgufValue.From(new GgufArray(GgufValueType.Int16, new short[] { -1, 2 }))),
            ("a.u32", GgufValue.From(new GgufArray(GgufValueType.UInt32, new uint[] { 7, uint.MaxValue }))),
            ("a.i32", GgufValue.From(new GgufArray(GgufValueType.Int32, new[] { int.MinValue, 5 }))),
            ("a.f32", GgufValue.From(new GgufArray(GgufValueType.Float32, new[] { -0.5f, 1e-5f }))),
            ("a.bool", GgufValue.From(new GgufArray(GgufValueType.Bool, new[] { true, false, true }))),
            ("a.string", GgufValue.From(new GgufArray(GgufValueType.String, new[] { "<s>", "▁the", "" }))),
            ("a.u64", GgufValue.From(new GgufArray(GgufValueType.UInt64, new ulong[] { 0, ulong.MaxValue }))),
            ("a.i64", GgufValue.From(new GgufArray(GgufValueType.Int64, new long[] { -1, long.MaxValue }))),
            ("a.f64", GgufValue.From(new GgufArray(GgufValueType.Float64, new[] { 2.5, -1e300 }))),
            ("a.nested", GgufValue.From(nested)),
        };
        var writer = new GgufWriter();
        foreach (var (key, value) in values)
        {
            writer.AddMetadata(key, value);
        }

        var path = dir.File("all.gguf");
        await writer.WriteFileAsync(path, _ct);

        using var file = GgufFile.Open(path);
        Assert.Equal(3u, file.Version);
        Assert.Equal(values.Select(v => v.Key), file.Metadata.Keys);
        foreach (var (key, expected) in values)
        {
            var actual = file.Metadata[key];
            Assert.Equal(expected.Type, actual.Type);
            AssertSameValue(expected.Value, actual.Value);
        }

        Assert.Null(file.Find("general.alignment"));
    }

    [Fact]
    public async Task WriteAsync_Tensors_AlignsOffsetsAndPadsWithZeros()
    {
        using var dir = new TempDirectory();
        var writer = new GgufWriter();
        writer.AddMetadata("general.name", GgufValue.From("t"));
        var a = Enumerable.Range(0, 5 * 3).Select(i => (byte)(i + 1)).ToArray();
        writer.AddTensor("a", [5, 3], GgmlType.I8, a);
        writer.AddTensor("b", [2], GgmlType.F32, (stream, ct) => stream.WriteAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, ct));
        var path = dir.File("t.gguf");
        await writer.WriteFileAsync(path, _ct);

        using var file = GgufFile.Open(path);
        var bytes = await File.ReadAllBytesAsync(path, _ct);
        Assert.Equal(writer.ComputeLength(), bytes.Length);
        Assert.Equal(0, file.DataOffset % 32);
        Assert.Equal(new long[] { 5, 3 }, file.Tensors[0].Dimensions);
        Assert.Equal(0, file.Tensors[0].Offset);
        Assert.Equal(32, file.Tensors[1].Offset);
        Assert.Equal(a, file.TensorBytes(file.Tensors[0]).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, file.TensorBytes(file.Tensors[1]).ToArray());
        Assert.All(bytes[(int)(file.DataOffset + 15)..(int)(file.DataOffset + 32)], b => Assert.Equal(0, b));
        Assert.Equal(file.DataOffset + 64, bytes.Length);
    }

    [Fact]
    public async Task WriteAsync_HeaderFields_MatchTheSpecificationByteForByte()
    {
        var writer = new GgufWriter();
        writer.AddMetadata("k", GgufValue.From(7u));
        writer.AddTensor("w", [32, 2], GgmlType.F16, new byte[128]);
        using var stream = new MemoryStream();
        await writer.WriteAsync(stream, _ct);
        var b = stream.ToArray();

        Assert.Equal("GGUF"u8.ToArray(), b[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8)));   // tensor_count
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(16)));  // kv_count
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24)));  // key length
        Assert.Equal((byte)'k', b[32]);
        Assert.Equal((uint)GgufValueType.UInt32, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(33)));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(37)));
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(41)));  // name length
        Assert.Equal((byte)'w', b[49]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(50)));   // n_dims
        Assert.Equal(32ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(54))); // innermost first
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(62)));
        Assert.Equal((uint)GgmlType.F16, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(70)));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(74)));  // offset
        Assert.All(b[82..96], x => Assert.Equal(0, x));                            // padding to 96
        Assert.Equal(96 + 128, b.Length);
    }

    [Fact]
    public async Task WriteAsync_NonDefaultAlignment_WritesAlignmentKeyAndAlignsToIt()
    {
        using var dir = new TempDirectory();
        var writer = new GgufWriter(alignment: 64);
        writer.AddTensor("a", [3], GgmlType.F32, new byte[12]);
        writer.AddTensor("b", [1], GgmlType.F32, new byte[4]);
        var path = dir.File("a64.gguf");
        await writer.WriteFileAsync(path, _ct);

        using var file = GgufFile.Open(path);
        Assert.Equal(64, file.Alignment);
        Assert.Equal(GgufValueType.UInt32, file.Find("general.alignment")!.Type);
        Assert.Equal(0, file.DataOffset % 64);
        Assert.Equal(64, file.Tensors[1].Offset);
    }

    [Fact]
    public async Task WriteAsync_CallbackWritesTooFewBytes_Throws()
    {
        var writer = new GgufWriter();
        writer.AddTensor("short", [4], GgmlType.F32, (stream, ct) => stream.WriteAsync(new byte[15], ct));
        using var stream = new MemoryStream();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(stream, _ct));
        Assert.Contains("short", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_CallbackWritesTooManyBytes_Throws()
    {
        var writer = new GgufWriter();
        writer.AddTensor("long", [4], GgmlType.F32, (stream, ct) => stream.WriteAsync(new byte[17], ct));
        using var stream = new MemoryStream();

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(stream, _ct));
    }

    [Fact]
    public async Task WriteFileAsync_CallbackFails_LeavesNoFile()
    {
        using var dir = new TempDirectory();
        var writer = new GgufWriter();
        writer.AddTensor("bad", [4], GgmlType.F32, (_, _) => throw new InvalidDataException("boom"));

        await Assert.ThrowsAsync<InvalidDataException>(() => writer.WriteFileAsync(dir.File("x.gguf"), _ct));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("general.alignment")]
    [InlineData("dup")]
    public void AddMetadata_ReservedOrDuplicateKey_Throws(string key)
    {
        var writer = new GgufWriter();
        writer.AddMetadata("dup", GgufValue.From(1));

        Assert.Throws<ArgumentException>(() => writer.AddMetadata(key, GgufValue.From(2u)));
    }

    [Fact]
    public void AddMetadata_ArrayItemsOfAnotherType_Throws()
    {
        var writer = new GgufWriter();
        var wrong = GgufValue.From(new GgufArray(GgufValueType.Int32, new[] { 1f }));

        var e = Assert.Throws<ArgumentException>(() => writer.AddMetadata("bad", wrong));
        Assert.Contains("bad", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTensor_InvalidShapes_Throw()
    {
        var writer = new GgufWriter();
        writer.AddTensor("x", [32], GgmlType.F32, new byte[128]);

        Assert.Throws<ArgumentException>(() => writer.AddTensor("x", [32], GgmlType.F32, new byte[128]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [33], GgmlType.Q8_0, new byte[34]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("z", [0], GgmlType.F32, Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("d", [1, 1, 1, 1, 1], GgmlType.F32, new byte[4]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor(new string('n', 64), [1], GgmlType.F32, new byte[4]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("m", [2], GgmlType.F32, new byte[4]));
    }

    private static void AssertSameValue(object expected, object actual)
    {
        if (expected is GgufArray e)
        {
            var a = Assert.IsType<GgufArray>(actual);
            Assert.Equal(e.ElementType, a.ElementType);
            Assert.Equal(e.Count, a.Count);
            for (var i = 0; i < e.Count; i++)
            {
                AssertSameValue(e.Items.GetValue(i)!, a.Items.GetValue(i)!);
            }

            return;
        }

        Assert.Equal(expected, actual);
    }
}
