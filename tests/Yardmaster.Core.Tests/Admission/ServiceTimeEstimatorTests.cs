using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Tests.Admission;

public sealed class ServiceTimeEstimatorTests
{
    [Fact]
    public void Mean_NoObservation_IsTheDefault()
    {
        var estimator = new ServiceTimeEstimator(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), estimator.Mean);
        Assert.Equal(0, estimator.Observations);
    }

    [Fact]
    public void Observe_First_ReplacesTheDefault()
    {
        var estimator = new ServiceTimeEstimator(TimeSpan.FromSeconds(2));
        estimator.Observe(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(300), estimator.Mean);
    }

    [Theory]
    [InlineData(0.5, new[] { 100, 200 }, 150)]
    [InlineData(0.5, new[] { 100, 200, 400 }, 275)]
    [InlineData(0.2, new[] { 1000, 0 }, 800)]
    [InlineData(1.0, new[] { 100, 700 }, 700)]
    public void Observe_Several_MovesBySmoothingTowardEach(double smoothing, int[] observedMs, int expectedMs)
    {
        var estimator = new ServiceTimeEstimator(TimeSpan.FromSeconds(9), smoothing);
        foreach (var ms in observedMs)
        {
            estimator.Observe(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), estimator.Mean);
        Assert.Equal(observedMs.Length, estimator.Observations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Constructor_SmoothingOutOfRange_Throws(double smoothing) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceTimeEstimator(TimeSpan.FromSeconds(1), smoothing));
}
