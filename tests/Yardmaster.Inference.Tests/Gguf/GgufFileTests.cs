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
}
