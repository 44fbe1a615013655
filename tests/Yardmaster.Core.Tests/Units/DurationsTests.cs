using Yardmaster.Core.Units;

namespace Yardmaster.Core.Tests.Units;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(5_000_000L, "500ms")]
    [InlineData(900_000_000L, "90s")]
    [InlineData(3_000_000_000L, "5m")]
    [InlineData(72_000_000_000L, "2h")]
    [InlineData(864_000_000_000L, "1d")]
    [InlineData(7_600L, "760us")]
    [InlineData(15L, "1.5us")]
    public void Format_Ticks_LargestExactUnit(long ticks, string expected)
    {
        var text = Durations.Format(TimeSpan.FromTicks(ticks));
        Assert.Equal(expected, text);
        Assert.True(Quantities.TryParseDuration(text, out var read, out var error), error);
        Assert.Equal(ticks, read.Ticks);
    }

    [Fact]
    public void Format_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Durations.Format(TimeSpan.FromSeconds(-1)));
}
