using System.Buffers.Binary;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Quantization;

namespace Yardmaster.Inference.Tests.Quantization;

public class QuantizerTests
{
    [Fact]
    public void Quantize_Q8_0KnownBlock_MatchesGgmlLayoutAndRoundsHalvesAwayFromZero()
    {
        var x = new float[32];
        (x[0], x[1], x[2], x[3], x[4], x[5], x[31]) = (127f, -63.5f, 0.5f, -0.5f, 1.5f, 2.5f, -127f);
        var q = new byte[34];

        Quantizer.Quantize(GgmlType.Q8_0, x, q);

        // d = 127 / 127 = 1.0 = fp16 0x3C00, little-endian; then 32 signed bytes.
        Assert.Equal(new byte[] { 0x00, 0x3C }, q[..2]);
        var expected = new sbyte[32];
        (expected[0], expected[1], expected[2], expected[3], expected[4], expected[5], expected[31]) = (127, -64, 1, -1, 2, 3, -127);
        Assert.Equal(expected, q[2..].Select(b => (sbyte)b));
    }

    [Fact]
    public void Quantize_Q8_0ZeroBlock_IsAllZeroBytes()
    {
        var q = new byte[34];
        q.AsSpan().Fill(0xAA);

        Quantizer.Quantize(GgmlType.Q8_0, new float[32], q);

        Assert.All(q, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Quantize_Q8_0TwoBlocks_EachBlockHasItsOwnScale()
    {
        var x = Enumerable.Repeat(254f, 32).Concat(Enumerable.Repeat(-0.5f, 32)).ToArray();
        var q = new byte[68];

        Quantizer.Quantize(GgmlType.Q8_0, x, q);

        Assert.Equal(2f, (float)BinaryPrimitives.ReadHalfLittleEndian(q));
        Assert.All(q[2..34], b => Assert.Equal(127, (sbyte)b));
        Assert.Equal((float)(Half)(0.5f / 127), (float)BinaryPrimitives.ReadHalfLittleEndian(q.AsSpan(34)));
        Assert.All(q[36..], b => Assert.Equal(-127, (sbyte)b));
    }

    /// <summary>
    /// The Q8_0 bound: |x - deq(q(x))| ≤ d/2 + 127·|d - fp16(d)| with d = amax/127 per block (the second
    /// term because ggml rounds with the float d but stores d as fp16).
    /// </summary>
    [Theory]
    [InlineData(1, 1f)]
    [InlineData(2, 1e-3f)]
    [InlineData(3, 50f)]
    public void Dequantize_Q8_0RoundTrip_ErrorWithinHalfStepPlusScaleRounding(int seed, float scale)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, 32 * 64).Select(_ => (float)(random.NextDouble() - 0.5) * 2 * scale).ToArray();
        var q = new byte[GgmlTypeInfo.ByteCount(GgmlType.Q8_0, x.Length)];
        var y = new float[x.Length];

        Quantizer.Quantize(GgmlType.Q8_0, x, q);
        Quantizer.Dequantize(GgmlType.Q8_0, q, y);

        for (var b = 0; b < x.Length / 32; b++)
        {
            var d = x.Skip(b * 32).Take(32).Max(MathF.Abs) / 127f;
            var bound = (d / 2) + (127 * MathF.Abs(d - (float)(Half)d));
            for (var j = b * 32; j < (b + 1) * 32; j++)
            {
                Assert.True(MathF.Abs(x[j] - y[j]) <= bound * 1.0001f, $"element {j}: |{x[j]} - {y[j]}| > {bound}");
            }
        }
    }

    [Fact]
    public void Dequantize_Q8_0ScaleExactInFp16_ErrorAtMostHalfStep()
    {
        // amax = 127 * 2^-4 makes d = 2^-4 exactly representable, so the bound is exactly d / 2.
        var random = new Random(7);
        var x = Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        x[5] = 127f / 16;
        var q = new byte[34];
        var y = new float[32];

        Quantizer.Quantize(GgmlType.Q8_0, x, q);
        Quantizer.Dequantize(GgmlType.Q8_0, q, y);

        Assert.All(Enumerable.Range(0, 32), j => Assert.True(MathF.Abs(x[j] - y[j]) <= 1f / 32));
        Assert.Equal(x[5], y[5]);
    }

    [Fact]
    public void Quantize_Q4_0KnownBlock_MatchesGgmlNibbleLayout()
    {
        var x = new float[32];
        (x[0], x[16], x[1], x[17], x[2], x[18]) = (-8f, 7f, 0.5f, -0.5f, 7.6f, -7.4f);
        var q = new byte[18];

        Quantizer.Quantize(GgmlType.Q4_0, x, q);

        // max = -8 (largest magnitude, with its sign), d = max / -8 = 1; q = min(15, trunc(x / d + 8.5)).
        Assert.Equal(new byte[] { 0x00, 0x3C }, q[..2]);
        Assert.Equal(0xF0, q[2]);              // j=0: q(-8) = 0 low, j=16: q(7) = 15 high
        Assert.Equal(0x89, q[3]);              // j=1: q(0.5) = 9, j=17: q(-0.5) = 8
        Assert.Equal(0x1F, q[4]);              // j=2: q(7.6) = 16 clamped to 15, j=18: q(-7.4) = 1
        Assert.All(q[5..], b => Assert.Equal(0x88, b));

        var y = new float[32];
        Quantizer.Dequantize(GgmlType.Q4_0, q, y);
        Assert.Equal(new[] { -8f, 1f, 7f }, y[..3]);
        Assert.Equal(new[] { 7f, 0f, -7f }, y[16..19]);
        Assert.All(y[3..16], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Quantize_Q4_0PositiveMax_NegativeScaleStillReconstructsMax()
    {
        var x = new float[32];
        x[0] = 8f;
        x[1] = -4f;
        var q = new byte[18];
        var y = new float[32];

        Quantizer.Quantize(GgmlType.Q4_0, x, q);
        Quantizer.Dequantize(GgmlType.Q4_0, q, y);

        Assert.Equal(-1f, (float)BinaryPrimitives.ReadHalfLittleEndian(q));
        Assert.Equal(8f, y[0]);
        Assert.Equal(-4f, y[1]);
    }

    [Fact]
    public void Dequantize_Q4_0RoundTrip_ErrorWithinOneStep()
    {
        var random = new Random(11);
        var x = Enumerable.Range(0, 32 * 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var q = new byte[GgmlTypeInfo.ByteCount(GgmlType.Q4_0, x.Length)];
        var y = new float[x.Length];

        Quantizer.Quantize(GgmlType.Q4_0, x, q);
        Quantizer.Dequantize(GgmlType.Q4_0, q, y);

        for (var b = 0; b < x.Length / 32; b++)
        {
            var step = x.Skip(b * 32).Take(32).Max(MathF.Abs) / 8f;
            Assert.All(Enumerable.Range(b * 32, 32), j => Assert.True(MathF.Abs(x[j] - y[j]) <= step * 1.01f));
        }
    }

    [Fact]
    public void Quantize_F16_WritesLittleEndianHalvesRoundedToNearestEven()
    {
        // 1 + 2^-11 and 1 + 3·2^-11 are ties between neighbouring halves: each goes to the even mantissa.
        var x = new[] { 1f, -2f, 65504f, 1f + (1f / 2048), 1f + (3f / 2048) };
        var q = new byte[10];

        Quantizer.Quantize(GgmlType.F16, x, q);

        Assert.Equal(new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x00, 0x3C, 0x02, 0x3C }, q);
        var y = new float[5];
        Quantizer.Dequantize(GgmlType.F16, q, y);
        Assert.Equal(new[] { 1f, -2f, 65504f, 1f, 1f + (2f / 1024) }, y);
    }

    [Fact]
    public void Dequantize_F32_CopiesExactly()
    {
        var x = new[] { 1.5f, float.Epsilon, -0f, float.MaxValue };
        var q = new byte[16];

        Quantizer.Quantize(GgmlType.F32, x, q);
        var y = new float[4];
        Quantizer.Dequantize(GgmlType.F32, q, y);

        Assert.Equal(x, y);
    }

    [Fact]
    public void Quantize_WrongLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => Quantizer.Quantize(GgmlType.Q8_0, new float[33], new byte[68]));
        Assert.Throws<ArgumentException>(() => Quantizer.Quantize(GgmlType.Q8_0, new float[32], new byte[35]));
        Assert.Throws<ArgumentException>(() => Quantizer.Dequantize(GgmlType.F16, new byte[3], new float[2]));
        Assert.Throws<NotSupportedException>(() => Quantizer.Quantize(GgmlType.Q4_K, new float[256], new byte[144]));
    }

    [Fact]
    public void Dequantize_SharedF16Model_MatchesHalfValues()
    {
        using var file = GgufFile.Open(SharedModels.TinyRandomLlama);
        Assert.True(file.TryGetTensor("blk.0.attn_q.weight", out var tensor));
        var bytes = file.TensorBytes(tensor);
        var y = new float[tensor.ElementCount];

        Quantizer.Dequantize(GgmlType.F16, bytes, y);

        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal((float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]), y[i]);
        }
    }
}
