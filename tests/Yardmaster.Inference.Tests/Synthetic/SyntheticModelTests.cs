using System.Security.Cryptography;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Quantization;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Synthetic;

public class SyntheticModelTests
{
    private static readonly CancellationToken _ct = CancellationToken.None;

    private static SyntheticModelShape Small { get; } = SyntheticModelShape.ForParameterCount(1_000_000, 512);

    [Theory]
    [InlineData(GgmlType.F32, 0)]
    [InlineData(GgmlType.F16, 1)]
    [InlineData(GgmlType.Q8_0, 7)]
    public async Task WriteAsync_EachType_LoadsWithLlamaTensorsShapesAndParameterCount(GgmlType type, uint fileType)
    {
        using var dir = new TempDirectory();
        var options = new SyntheticModelOptions { Shape = Small, Type = type, Name = "tiny" };

        var result = await SyntheticModel.WriteAsync(options, dir.File("m.gguf"), _ct);

        using var file = GgufFile.Open(result.Path);
        var s = Small;
        Assert.Equal(new FileInfo(result.Path).Length, result.Bytes);
        Assert.Equal(s.ParameterCount, result.ParameterCount);
        Assert.Equal(s.ParameterCount, file.Tensors.Sum(t => t.ElementCount));
        Assert.Equal(3 + (9 * s.Layers), file.Tensors.Count);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal("tiny", file.GetString("general.name"));
        Assert.Equal(fileType, (uint)file.GetInt64("general.file_type", -1));
        Assert.Equal(2048, file.GetInt64("llama.context_length", 0));
        Assert.Equal(s.Dim, file.GetInt64("llama.embedding_length", 0));
        Assert.Equal(s.FeedForward, file.GetInt64("llama.feed_forward_length", 0));
        Assert.Equal(s.Layers, file.GetInt64("llama.block_count", 0));
        Assert.Equal(s.Heads, file.GetInt64("llama.attention.head_count", 0));
        Assert.Equal(s.KvHeads, file.GetInt64("llama.attention.head_count_kv", 0));
        Assert.Equal(s.HeadDim, file.GetInt64("llama.rope.dimension_count", 0));
        Assert.Equal(10000f, file.GetSingle("llama.rope.freq_base", 0));
        Assert.Equal(1e-5f, file.GetSingle("llama.attention.layer_norm_rms_epsilon", 0));
        Assert.Equal(512, file.GetInt64("llama.vocab_size", 0));
        Assert.Equal(512, file.Find("tokenizer.ggml.tokens")!.AsArray().Count);

        AssertTensor(file, "token_embd.weight", type, s.Dim, 512);
        AssertTensor(file, "output_norm.weight", GgmlType.F32, s.Dim);
        AssertTensor(file, "output.weight", type, s.Dim, 512);
        for (var i = 0; i < s.Layers; i++)
        {
            AssertTensor(file, $"blk.{i}.attn_norm.weight", GgmlType.F32, s.Dim);
            AssertTensor(file, $"blk.{i}.attn_q.weight", type, s.Dim, s.Dim);
            AssertTensor(file, $"blk.{i}.attn_k.weight", type, s.Dim, s.KvDim);
            AssertTensor(file, $"blk.{i}.attn_v.weight", type, s.Dim, s.KvDim);
            AssertTensor(file, $"blk.{i}.attn_output.weight", type, s.Dim, s.Dim);
            AssertTensor(file, $"blk.{i}.ffn_norm.weight", GgmlType.F32, s.Dim);
            AssertTensor(file, $"blk.{i}.ffn_gate.weight", type, s.Dim, s.FeedForward);
            AssertTensor(file, $"blk.{i}.ffn_down.weight", type, s.FeedForward, s.Dim);
            AssertTensor(file, $"blk.{i}.ffn_up.weight", type, s.Dim, s.FeedForward);
        }

        Assert.True(file.TryGetTensor("blk.0.ffn_norm.weight", out var norm));
        Assert.All(Decode(file, norm), v => Assert.Equal(1f, v));
    }

    [Fact]
    public async Task WriteAsync_SameOptionsTwice_IdenticalBytes()
    {
        using var dir = new TempDirectory();
        var options = new SyntheticModelOptions { Shape = Small, Type = GgmlType.Q8_0, Seed = 7 };

        await SyntheticModel.WriteAsync(options, dir.File("a.gguf"), _ct);
        await SyntheticModel.WriteAsync(options, dir.File("b.gguf"), _ct);
        await SyntheticModel.WriteAsync(options with { Seed = 8 }, dir.File("c.gguf"), _ct);

        Assert.Equal(Sha(dir.File("a.gguf")), Sha(dir.File("b.gguf")));
        Assert.NotEqual(Sha(dir.File("a.gguf")), Sha(dir.File("c.gguf")));
    }

    [Fact]
    public async Task WriteEachTypeAsync_F32F16Q8_0_HoldTheSameWeights()
    {
        using var dir = new TempDirectory();
        var options = new SyntheticModelOptions { Shape = Small, Seed = 3 };

        await SyntheticModel.WriteEachTypeAsync(options, new Dictionary<GgmlType, string>
        {
            [GgmlType.F32] = dir.File("f32.gguf"),
            [GgmlType.F16] = dir.File("f16.gguf"),
            [GgmlType.Q8_0] = dir.File("q8.gguf"),
        }, _ct);

        using var f32 = GgufFile.Open(dir.File("f32.gguf"));
        using var f16 = GgufFile.Open(dir.File("f16.gguf"));
        using var q8 = GgufFile.Open(dir.File("q8.gguf"));
        foreach (var name in new[] { "token_embd.weight", "blk.1.attn_k.weight", "blk.3.ffn_down.weight" })
        {
            var x = Decode(f32, name);
            var h = Decode(f16, name);
            var y = Decode(q8, name);
            Assert.Equal(x.Select(v => (float)(Half)v), h);
            for (var b = 0; b < x.Length / 32; b++)
            {
                var d = x.AsSpan(b * 32, 32).ToArray().Max(MathF.Abs) / 127f;
                var bound = (d / 2) + (127 * MathF.Abs(d - (float)(Half)d));
                Assert.All(Enumerable.Range(b * 32, 32), j => Assert.True(MathF.Abs(x[j] - y[j]) <= bound * 1.0001f));
            }
        }
    }

    [Fact]
    public async Task WriteAsync_Weights_AreCentredWithStandardDeviationOneOverSqrtRowLength()
    {
        using var dir = new TempDirectory();
        var result = await SyntheticModel.WriteAsync(new SyntheticModelOptions { Shape = Small }, dir.File("m.gguf"), _ct);

        using var file = GgufFile.Open(result.Path);
        var x = Decode(file, "blk.0.ffn_down.weight");
        var mean = x.Average();
        var std = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average());
        var expected = 1 / Math.Sqrt(Small.FeedForward);
        Assert.InRange(mean, -0.01 * expected, 0.01 * expected);
        Assert.InRange(std, 0.98 * expected, 1.02 * expected);
        Assert.All(x, v => Assert.InRange(v, -3.5 * expected, 3.5 * expected));
    }

    [Fact]
    public async Task WriteAsync_VocabularyFromGguf_CopiesEveryTokenizerKeyAndSetsVocabSize()
    {
        using var dir = new TempDirectory();
        var vocabulary = SyntheticVocabulary.FromGguf(SharedModels.TinyRandomLlama);
        var shape = SyntheticModelShape.ForParameterCount(1_000_000, vocabulary.Count);
        var options = new SyntheticModelOptions { Shape = shape, Vocabulary = vocabulary, ContextLength = 512 };

        var result = await SyntheticModel.WriteAsync(options, dir.File("v.gguf"), _ct);

        using var source = GgufFile.Open(SharedModels.TinyRandomLlama);
        using var file = GgufFile.Open(result.Path);
        Assert.Equal(32_000, vocabulary.Count);
        Assert.Equal(32_000, file.GetInt64("llama.vocab_size", 0));
        Assert.Equal(512, file.GetInt64("llama.context_length", 0));
        var keys = source.Metadata.Keys.Where(k => k.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Equal(source.Metadata[k].ToString(), file.Metadata[k].ToString()));
        Assert.Equal(source.Find("tokenizer.ggml.tokens")!.AsArray().As<string>(), file.Find("tokenizer.ggml.tokens")!.AsArray().As<string>());
        Assert.True(file.TryGetTensor("output.weight", out var output));
        Assert.Equal(new long[] { shape.Dim, 32_000 }, output.Dimensions);
    }

    [Fact]
    public async Task WriteAsync_About15MInQ8_0_LoadsWithItsParameterCount()
    {
        using var dir = new TempDirectory();
        var shape = SyntheticModelShape.ForParameterCount(15_000_000, 512);
        var options = new SyntheticModelOptions { Shape = shape, Type = GgmlType.Q8_0 };

        var result = await SyntheticModel.WriteAsync(options, dir.File("15m.gguf"), _ct);

        using var file = GgufFile.Open(result.Path);
        Assert.InRange(result.ParameterCount, 13_000_000, 17_000_000);
        Assert.Equal(result.ParameterCount, file.Tensors.Sum(t => t.ElementCount));
        Assert.All(file.Tensors.Where(t => t.Dimensions.Count == 2), t => Assert.Equal(GgmlType.Q8_0, t.Type));
    }

    [Fact]
    public async Task WriteAsync_InvalidOptions_ThrowsNamingEveryProblem()
    {
        using var dir = new TempDirectory();
        var options = new SyntheticModelOptions { Shape = SyntheticModelShape.Stories260K with { VocabSize = 100 }, Type = GgmlType.Q8_0 };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => SyntheticModel.WriteAsync(options, dir.File("x.gguf"), _ct));

        Assert.Contains("feed-forward length 172", e.Message, StringComparison.Ordinal);
        Assert.Contains("100 tokens", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private static void AssertTensor(GgufFile file, string name, GgmlType type, params long[] dimensions)
    {
        Assert.True(file.TryGetTensor(name, out var tensor), name);
        Assert.Equal(type, tensor.Type);
        Assert.Equal(dimensions, tensor.Dimensions);
    }

    private static float[] Decode(GgufFile file, string name)
    {
        Assert.True(file.TryGetTensor(name, out var tensor), name);
        return Decode(file, tensor);
    }

    private static float[] Decode(GgufFile file, GgufTensorInfo tensor)
    {
        var values = new float[tensor.ElementCount];
        Quantizer.Dequantize(tensor.Type, file.TensorBytes(tensor), values);
        return values;
    }

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
