using Yardmaster.Core.Units;

namespace Yardmaster.Core.Tests.Units;

public sealed class QuantitiesTests
{
    [Theory]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("8GiB", 8L << 30)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("4096", 4096L)]
    [InlineData("512 KiB", 512L << 10)]
    [InlineData("2G", 2L << 30)]
    public void TryParseSize_Valid_Bytes(string text, long expected)
    {
        Assert.True(Quantities.TryParseSize(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1MiB")]
    [InlineData("lots")]
    [InlineData("12XB")]
    public void TryParseSize_Invalid_ErrorSaysWhatIsAccepted(string text)
    {
        Assert.False(Quantities.TryParseSize(text, out _, out var error));
        Assert.Contains("e.g. 512MiB", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0", 0)]
    public void TryParseDuration_Valid_Milliseconds(string text, double ms)
    {
        Assert.True(Quantities.TryParseDuration(text, out var duration, out var error), error);
        Assert.Equal(ms, duration.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("760us", 7600)]
    [InlineData("983us", 9830)]
    [InlineData("1m30s5ms", 900_050_000)]
    public void TryParseDuration_Fractions_ExactToTheTick(string text, long ticks)
    {
        Assert.True(Quantities.TryParseDuration(text, out var duration, out var error), error);
        Assert.Equal(ticks, duration.Ticks);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("5 minutes")]
    [InlineData("s")]
    [InlineData("-5s")]
    public void TryParseDuration_Invalid_False(string text) =>
        Assert.False(Quantities.TryParseDuration(text, out _, out _));

    [Theory]
    [InlineData("50/s", 50.0)]
    [InlineData("600/m", 10.0)]
    [InlineData("3600/h", 1.0)]
    public void TryParseRate_Valid_PerSecond(string text, double expected)
    {
        Assert.True(Quantities.TryParseRate(text, out var rate, out var error), error);
        Assert.Equal(expected, rate, 9);
    }

    [Theory]
    [InlineData("50")]
    [InlineData("0/s")]
    [InlineData("5/week")]
    public void TryParseRate_Invalid_False(string text) =>
        Assert.False(Quantities.TryParseRate(text, out _, out _));
}
