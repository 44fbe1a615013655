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

    [Fact]
    public void Open_Version2File_ReadsAndRunsLikeVersion3()
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(SharedModels.Stories260K);
        bytes[4] = 2; // the version field; v2 and v3 share the layout (64-bit counts and lengths)
        var path = Path.Combine(dir.Path, "v2.gguf");
        File.WriteAllBytes(path, bytes);

        using var model = Yardmaster.Inference.Llama.LlamaModel.Load(path);
        using var pass = new Yardmaster.Inference.Llama.ForwardPass(model, 1, 1, 8);
        using var cache = new Yardmaster.Inference.Llama.KvCache(model.Config, 8);
        pass.Run([new Yardmaster.Inference.Llama.BatchToken(cache, 1, 0, true)]);

        Assert.Equal(2u, model.File.Version);
        Assert.Equal(403, Llama.ForwardPassTests.ArgMax(pass.Logits(0)));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0 }, "version 1 is not supported (2 and 3 are)")]
    [InlineData(new byte[] { 4, 0, 0, 0 }, "version 4 is not supported (2 and 3 are)")]
    [InlineData(new byte[] { 0, 0, 0, 3 }, "big-endian GGUF files are not supported")]
    public void Open_OtherVersion_ThrowsNamingTheVersionField(byte[] version, string reason)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(SharedModels.Stories260K);
        version.CopyTo(bytes, 4);
        var path = Path.Combine(dir.Path, "other.gguf");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));

        Assert.Equal("version", error.Field);
        Assert.Equal(4, error.Offset);
        Assert.Equal(reason, error.Reason);
    }
}
