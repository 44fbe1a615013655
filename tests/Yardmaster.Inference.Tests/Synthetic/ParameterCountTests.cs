using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Synthetic;

public class ParameterCountTests
{
    [Theory]
    [InlineData("15M", 15_000_000)]
    [InlineData("110m", 110_000_000)]
    [InlineData("1.5B", 1_500_000_000)]
    [InlineData("2g", 2_000_000_000)]
    [InlineData("260K", 260_000)]
    [InlineData("0.5T", 500_000_000_000)]
    [InlineData("123456", 123_456)]
    [InlineData(" 7M ", 7_000_000)]
    public void TryParse_ValidText_ReturnsCount(string text, long expected)
    {
        Assert.True(ParameterCount.TryParse(text, out var count));
        Assert.Equal(expected, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("12X")]
    [InlineData("-5M")]
    [InlineData("0")]
    [InlineData("1e6")]
    [InlineData("1,5B")]
    [InlineData("99999999999999T")]
    public void TryParse_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(ParameterCount.TryParse(text, out _));
    }

    [Theory]
    [InlineData(512, "512")]
    [InlineData(918_656, "918.7K")]
    [InlineData(107_346_176, "107.3M")]
    [InlineData(1_500_000_000, "1.5B")]
    public void Format_Count_ShortFormWithSuffix(long count, string expected)
    {
        Assert.Equal(expected, ParameterCount.Format(count));
    }
}
