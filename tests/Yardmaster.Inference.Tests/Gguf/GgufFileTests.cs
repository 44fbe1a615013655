using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests.Gguf;

public class GgufFileTests
{
    [Fact]
    public void Open_Stories260K_ReadsHeaderMetadataAndTensors()
    {
        using var file = GgufFile.Open(SharedModels.Stories260K);

        Assert.Equal(3u, file.Version);
        Assert.Equal(48, file.Tensors.Count);
        Assert.Equal(14_176, file.DataOffset);
        Assert.Equal(32, file.Alignment);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(64, file.GetInt64("llama.embedding_length", 0));
        Assert.Equal(4, file.GetInt64("llama.attention.head_count_kv", 0));
        Assert.Equal(512, file.Find("tokenizer.ggml.tokens")!.AsArray().Count);
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.True(file.TryGetTensor("output.weight", out var output));
        Assert.Equal(new long[] { 64, 512 }, output.Dimensions);
        Assert.Equal(64 * 512 * 4, output.ByteLength);
    }

    [Fact]
    public void Open_TinyRandomLlama_ReadsF16Tensors()
    {
        using var file = GgufFile.Open(SharedModels.TinyRandomLlama);

        Assert.Equal(32_000, file.Find("tokenizer.ggml.tokens")!.AsArray().Count);
        Assert.Equal(9, file.Tensors.Count(t => t.Type == GgmlType.F16));
        Assert.Equal(3, file.Tensors.Count(t => t.Type == GgmlType.F32));
    }

    [Theory]
    [InlineData(10u, 9_223_372_036_854_775_808UL, "found UInt64 9223372036854775808")]
    [InlineData(4u, 48UL, "found UInt32 48")]
    [InlineData(4u, 0UL, "found UInt32 0")]
    public void Open_BadAlignment_ThrowsGgufFormatExceptionAtTheValue(uint type, ulong value, string found)
    {
        // magic, version 3, no tensors, one key: general.alignment of the given type and value.
        using var dir = new TempDirectory();
        var path = dir.File("align.gguf");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write(GgufFile.Magic);
            writer.Write(3u);
            writer.Write(0UL);
            writer.Write(1UL);
            writer.Write((ulong)"general.alignment".Length);
            writer.Write("general.alignment"u8);
            writer.Write(type);
            if (type == 10u)
            {
                writer.Write(value);
            }
            else
            {
                writer.Write((uint)value);
            }
        }

        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));

        Assert.Equal("metadata[\"general.alignment\"]", e.Field);
        Assert.Equal(4 + 4 + 8 + 8 + 8 + 17 + 4, e.Offset);
        Assert.EndsWith("must be a uint32 power of two, " + found, e.Message, StringComparison.Ordinal);
    }
}
