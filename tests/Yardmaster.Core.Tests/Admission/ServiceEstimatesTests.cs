using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Tests.Admission;

public sealed class ServiceEstimatesTests
{
    // Batch lines slowed to a third (one thread, paused for urgent work); foreground requests at full speed.
    private static ServiceEstimates Taught(bool foreground = true, bool background = true)
    {
        var estimates = new ServiceEstimates(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 40; i++)
        {
            var (prompt, output) = (i * 97 % 3000, i * 31 % 500 + 1);
            var seconds = (prompt / 4000.0) + (output / 100.0);
            if (background)
            {
                estimates.Observe(i % 2 == 0 ? PriorityClass.Batch : PriorityClass.Low, TimeSpan.FromSeconds(3 * seconds), prompt, output, output);
            }

            if (foreground && i % 4 == 0)
            {
                estimates.Observe(PriorityClass.High, TimeSpan.FromSeconds(seconds), prompt, output, output);
            }
        }

        return estimates;
    }

    [Theory]
    [InlineData(PriorityClass.Critical, false)]
    [InlineData(PriorityClass.High, false)]
    [InlineData(PriorityClass.Normal, false)]
    [InlineData(PriorityClass.Low, true)]
    [InlineData(PriorityClass.Batch, true)]
    public void IsBackground_LowAndBatch_AsTheEngineTreatsThem(PriorityClass priority, bool background) =>
        Assert.Equal(background, ServiceEstimates.IsBackground(priority));

    [Fact]
    public void Predict_BothBandsObserved_EachFromItsOwn()
    {
        var estimates = Taught();
        Assert.Equal(4.5, estimates.Predict(PriorityClass.Normal, 2000, 400).TotalSeconds, 1);
        Assert.Equal(13.5, estimates.Predict(PriorityClass.Batch, 2000, 400).TotalSeconds, 1);
        Assert.Equal(40 + 10, estimates.Observations);
    }

    [Fact]
    public void Predict_OnlyBackgroundObserved_ForegroundFromAllButNotJudged()
    {
        var estimates = Taught(foreground: false);
        Assert.False(estimates.HasSample(PriorityClass.High));
        Assert.True(estimates.HasSample(PriorityClass.Low));
        Assert.Same(estimates.All, estimates.For(PriorityClass.High));
        Assert.Equal(13.5, estimates.Predict(PriorityClass.High, 2000, 400).TotalSeconds, 1);
    }

    [Fact]
    public void Observe_OneForegroundRequest_ItsBandPredictsFromIt()
    {
        var estimates = Taught(foreground: false);
        estimates.Observe(PriorityClass.Critical, TimeSpan.FromSeconds(2), 100, 50, 50);
        Assert.True(estimates.HasSample(PriorityClass.Normal));
        Assert.Same(estimates.Foreground, estimates.For(PriorityClass.High));
        Assert.Equal(TimeSpan.FromSeconds(2), estimates.Predict(PriorityClass.High, 2000, 400)); // its mean, until it has rates
    }

    [Fact]
    public void MeanFor_Foreground_ItsBand_Background_TheMeanOverAll()
    {
        var estimates = new ServiceEstimates(TimeSpan.FromSeconds(1), smoothing: 1);
        estimates.Observe(PriorityClass.Batch, TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(9), estimates.MeanFor(PriorityClass.High)); // no foreground yet: the mean over all
        estimates.Observe(PriorityClass.High, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), estimates.MeanFor(PriorityClass.High));
        Assert.Equal(TimeSpan.FromSeconds(1), estimates.MeanFor(PriorityClass.Batch)); // those ahead of a batch request are of every class
        Assert.Equal(TimeSpan.FromSeconds(1), estimates.Mean);
    }
}
