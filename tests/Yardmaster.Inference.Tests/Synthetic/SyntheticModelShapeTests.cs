using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Synthetic;

public class SyntheticModelShapeTests
{
    [Theory]
    [InlineData(1_000_000, 512, 128, 4)]
    [InlineData(15_000_000, 512, 512, 5)]
    [InlineData(110_000_000, 512, 768, 15)]
    [InlineData(110_000_000, 32_000, 768, 9)]
    [InlineData(500_000_000, 512, 1024, 30)]
    [InlineData(1_500_000_000, 32_000, 2048, 31)]
    public void ForParameterCount_CommonSizes_NearestWidthThenDepth(long n, int vocab, int dim, int layers)
    {
        var shape = SyntheticModelShape.ForParameterCount(n, vocab);

        Assert.Equal((dim, layers, vocab), (shape.Dim, shape.Layers, shape.VocabSize));
        Assert.Empty(shape.Validate(GgmlType.Q8_0));
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(3_000_000)]
    [InlineData(42_000_000)]
    [InlineData(300_000_000)]
    [InlineData(7_000_000_000)]
    public void ForParameterCount_AnySize_NoOtherDepthOfThatWidthIsCloser(long n)
    {
        var shape = SyntheticModelShape.ForParameterCount(n, 512);

        var distance = Math.Abs(Math.Log((double)shape.ParameterCount / n));
        foreach (var layers in new[] { shape.Layers - 1, shape.Layers + 1 }.Where(l => l >= 1 && l <= 64))
        {
            var other = shape with { Layers = layers };
            Assert.True(distance <= Math.Abs(Math.Log((double)other.ParameterCount / n)));
        }
    }

    [Fact]
    public void ParameterCount_Stories260K_MatchesTheRealFile()
    {
        using var file = GgufFile.Open(SharedModels.Stories260K);

        Assert.Equal(file.Tensors.Sum(t => t.ElementCount), SyntheticModelShape.Stories260K.ParameterCount);
        Assert.Equal(8, SyntheticModelShape.Stories260K.HeadDim);
        Assert.Equal(32, SyntheticModelShape.Stories260K.KvDim);
    }

    [Fact]
    public void Validate_BadShape_ListsEveryProblem()
    {
        var shape = new SyntheticModelShape(Dim: 96, Layers: 2, Heads: 5, KvHeads: 2, FeedForward: 100, VocabSize: 10);

        var problems = shape.Validate(GgmlType.Q8_0);

        Assert.Contains(problems, p => p.Contains("not a multiple of the 5 heads", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("5 heads are not a multiple of the 2 kv heads", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("feed-forward length 100", StringComparison.Ordinal));
        Assert.Empty(SyntheticModelShape.Stories260K.Validate(GgmlType.F32));
    }
}
