using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Tests.Admission;

public sealed class WaitPredictionTests
{
    [Theory]
    [InlineData(0, 0, 4, 1000, 0, 0)]        // idle replica: starts at once
    [InlineData(0, 3, 4, 1000, 0, 0)]        // a slot is still free
    [InlineData(0, 4, 4, 1000, 0, 250)]      // all busy: the first of four to finish
    [InlineData(5, 4, 4, 1000, 0, 1500)]     // six completions at four per second
    [InlineData(9, 1, 1, 200, 0, 2000)]      // one slot: everyone ahead, one after another
    [InlineData(0, 0, 2, 1000, 3000, 3000)]  // none ready: the load first
    [InlineData(3, 0, 2, 1000, 3000, 4000)]  // then two completions at two per second
    public void Predict_Load_WaitForTheCompletionsAhead(int ahead, int inService, int slots, int meanMs, int pendingLoadMs, int expectedMs)
    {
        var wait = WaitPrediction.Predict(ahead, inService, slots, TimeSpan.FromMilliseconds(meanMs), TimeSpan.FromMilliseconds(pendingLoadMs));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), wait);
    }

    [Fact]
    public void Predict_Huge_SaturatesAtMaxValue() =>
        Assert.Equal(TimeSpan.MaxValue, WaitPrediction.Predict(int.MaxValue, int.MaxValue, 1, TimeSpan.FromDays(10_000_000), TimeSpan.Zero));

    [Fact]
    public void Predict_NoSlots_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WaitPrediction.Predict(0, 0, 0, TimeSpan.FromSeconds(1), TimeSpan.Zero));
}
