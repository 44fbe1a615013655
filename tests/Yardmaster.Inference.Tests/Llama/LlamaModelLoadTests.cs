using System.Buffers.Binary;
using System.Globalization;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Llama;

public sealed class LlamaModelLoadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Load_FileCutInTensorData_ThrowsGgufFormatExceptionNamingTensorAndOffset()
    {
        long dataOffset;
        GgufTensorInfo cutTensor;
        using (var whole = GgufFile.Open(SharedModels.Stories260K))
        {
            dataOffset = whole.DataOffset;
            cutTensor = whole.Tensors.Single(t => t.Name == "blk.0.attn_output.weight");
        }

        // Cut halfway through the data of the seventh tensor: the six before it are whole.
        var cut = (int)(dataOffset + cutTensor.Offset + (cutTensor.ByteLength / 2));
        var bytes = File.ReadAllBytes(SharedModels.Stories260K);
        var path = _dir.File("cut.gguf");
        File.WriteAllBytes(path, bytes[..cut]);

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("tensor \"blk.0.attn_output.weight\".offset", e.Field);
        var start = dataOffset + cutTensor.Offset;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"data [{start}, {start + cutTensor.ByteLength}) lies beyond the end of the file ({cut} bytes)"), e.Message, StringComparison.Ordinal);
        // The offset points at the tensor's offset field in the header, which holds the tensor's data offset.
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"invalid GGUF at byte {e.Offset} (tensor \"blk.0.attn_output.weight\".offset)"), e.Message, StringComparison.Ordinal);
        Assert.Equal((ulong)cutTensor.Offset, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)e.Offset, 8)));
    }

    [Fact]
    public void Load_TextFile_ThrowsGgufFormatExceptionSayingNotAGguf()
    {
        var path = _dir.File("notes.gguf");
        File.WriteAllText(path, "These are my notes, not a model. They are long enough for a header.");

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("magic", e.Field);
        Assert.Equal(0, e.Offset);
        Assert.Contains("not a GGUF file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_ThrowsGgufFormatExceptionSayingNotAGguf()
    {
        var path = _dir.File("empty.gguf");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("magic", e.Field);
        Assert.Equal("invalid GGUF at byte 0 (magic): not a GGUF file (0 bytes, does not start with \"GGUF\")", e.Message);
    }

    [Fact]
    public void Load_MagicOnly_ThrowsGgufFormatExceptionSayingHeaderTooShort()
    {
        var path = _dir.File("magic.gguf");
        File.WriteAllBytes(path, "GGUF\u0003\0\0\0"u8.ToArray());

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("header", e.Field);
        Assert.Contains("file is 8 bytes, too short for a GGUF header (24 bytes)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("mamba")]
    public async Task Load_OtherArchitecture_ThrowsUnsupportedModelExceptionNamingItAndTheSupportedOnes(string architecture)
    {
        var path = await WriteStoriesAsync(c => c.Set("general.architecture", GgufValue.From(architecture)));

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal($"architecture '{architecture}' is not supported by the builtin runtime (supported: llama)", e.Message);
    }

    [Fact]
    public async Task Load_ArchitectureNotAString_ThrowsGgufFormatExceptionNamingTheKey()
    {
        var path = await WriteStoriesAsync(c => c.Set("general.architecture", GgufValue.From(7u)));

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("metadata[\"general.architecture\"]", e.Field);
        Assert.Contains("expected a string, found UInt32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_HyperparameterBeyondInt64_ThrowsGgufFormatExceptionNamingTheKey()
    {
        var path = await WriteStoriesAsync(c => c.Set("llama.context_length", GgufValue.From(ulong.MaxValue)));

        var e = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Equal("metadata[\"llama.context_length\"]", e.Field);
        Assert.Contains("18446744073709551615 does not fit in a signed 64-bit integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_BlockCountBeyondTheTensors_NamesFirstMissingTensorWithoutAllocatingForEveryBlock()
    {
        // 2^24 blocks is the most LlamaConfig accepts; the file holds 5.
        var path = await WriteStoriesAsync(c => c.Set("llama.block_count", GgufValue.From(1u << 24)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("tensor blk.5.attn_norm.weight is missing", e.Message);
        Assert.True(allocated < 16 << 20, $"loading allocated {allocated:N0} bytes for a 1.2 MB file");
    }

    [Fact]
    public async Task Load_MissingTensor_ThrowsUnsupportedModelExceptionNamingIt()
    {
        var path = await WriteStoriesAsync(c => c.Remove("blk.3.ffn_up.weight"));

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal("tensor blk.3.ffn_up.weight is missing", e.Message);
    }

    [Fact]
    public async Task Load_TensorOfWrongShape_ThrowsUnsupportedModelExceptionNamingItAndBothShapes()
    {
        // attn_q of stories260K is 64 × 64; give it 32 rows.
        var path = await WriteStoriesAsync(c =>
        {
            var q = c.Tensor("blk.1.attn_q.weight");
            c.Replace(q with { Dimensions = [64, 32], Data = q.Data[..(64 * 32 * sizeof(float))] });
        });

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal("tensor blk.1.attn_q.weight has shape [64, 32], expected [64, 64]", e.Message);
    }

    [Theory]
    [InlineData("blk.0.attn_q.weight")]
    [InlineData("blk.0.ffn_down.weight")]
    public async Task Load_MatrixOfUnsupportedType_ThrowsUnsupportedModelExceptionNamingItAndItsType(string name)
    {
        // Q4_K rows hold multiples of 256 values, so the model needs dim and ffn 256 to give a matrix the right shape.
        var path = await WriteSyntheticAsync(c =>
        {
            var t = c.Tensor(name);
            c.Replace(t with { Type = GgmlType.Q4_K, Data = new byte[GgmlTypeInfo.ByteCount(GgmlType.Q4_K, 256 * 256)] });
        });

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal($"tensor {name} has type Q4_K; the builtin runtime supports F32, F16, BF16, Q8_0 and Q4_0", e.Message);
    }

    [Fact]
    public async Task Load_NormOfUnsupportedType_ThrowsUnsupportedModelExceptionNamingItAndItsType()
    {
        var path = await WriteSyntheticAsync(c =>
        {
            var t = c.Tensor("blk.0.ffn_norm.weight");
            c.Replace(t with { Type = GgmlType.Q4_K, Data = new byte[GgmlTypeInfo.ByteCount(GgmlType.Q4_K, 256)] });
        });

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal("tensor blk.0.ffn_norm.weight has type Q4_K; the builtin runtime supports F32, F16, BF16, Q8_0 and Q4_0", e.Message);
    }

    [Fact]
    public async Task Load_NormOfWrongLength_ThrowsUnsupportedModelExceptionNamingItAndBothLengths()
    {
        var path = await WriteStoriesAsync(c =>
        {
            var t = c.Tensor("output_norm.weight");
            c.Replace(t with { Dimensions = [32], Data = t.Data[..(32 * sizeof(float))] });
        });

        var e = Assert.Throws<UnsupportedModelException>(() => LlamaModel.Load(path));

        Assert.Equal("tensor output_norm.weight has 32 elements, expected 64", e.Message);
    }

    public void Dispose() => _dir.Dispose();

    private Task<string> WriteStoriesAsync(Action<GgufCopy> change) => WriteChangedAsync(SharedModels.Stories260K, change);

    /// <summary>A one-layer F32 synthetic model of dim 256 and ffn 256, changed by <paramref name="change"/>.</summary>
    private async Task<string> WriteSyntheticAsync(Action<GgufCopy> change)
    {
        var source = _dir.File("synthetic-256.gguf");
        if (!File.Exists(source))
        {
            await SyntheticModel.WriteAsync(new SyntheticModelOptions { Shape = new(256, 1, 4, 4, 256, 512) }, source, CancellationToken.None);
        }

        return await WriteChangedAsync(source, change);
    }

    private async Task<string> WriteChangedAsync(string source, Action<GgufCopy> change)
    {
        var copy = GgufCopy.Of(source);
        change(copy);
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".gguf");
        await copy.WriteFileAsync(path);
        return path;
    }
}
