using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Tests.Admission;

public sealed class ServiceEstimatesTests
{
    // Batch lines slowed to a third (one thread, paused for urgent work); high requests at full speed.
    private static ServiceEstimates Taught(bool high = true, bool batch = true)
    {
        var estimates = new ServiceEstimates(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 40; i++)
        {
            var (prompt, output) = (i * 97 % 3000, i * 31 % 500 + 1);
            var seconds = (prompt / 4000.0) + (output / 100.0);
            if (batch)
            {
                estimates.Observe(PriorityClass.Batch, TimeSpan.FromSeconds(3 * seconds), prompt, output, output);
            }

            if (high && i % 4 == 0)
            {
                estimates.Observe(PriorityClass.High, TimeSpan.FromSeconds(seconds), prompt, output, output);
            }
        }

        return estimates;
    }

    [Fact]
    public void Predict_TwoClassesObserved_EachFromItsOwn()
    {
        var estimates = Taught();
        Assert.Equal(4.5, estimates.Predict(PriorityClass.High, 2000, 400).TotalSeconds, 1);
        Assert.Equal(13.5, estimates.Predict(PriorityClass.Batch, 2000, 400).TotalSeconds, 1);
        Assert.Equal(40 + 10, estimates.Observations);
        Assert.Equal(10, estimates.Of(PriorityClass.High).Observations);
    }

    [Fact]
    public void Predict_ClassNeverObserved_FromAllButNotJudged()
    {
        var estimates = Taught(high: false);
        Assert.False(estimates.HasSample(PriorityClass.High));
        Assert.True(estimates.HasSample(PriorityClass.Batch));
        Assert.Same(estimates.All, estimates.For(PriorityClass.High));
        Assert.Equal(13.5, estimates.Predict(PriorityClass.High, 2000, 400).TotalSeconds, 1);
    }

    [Fact]
    public void Observe_OneRequestOfAClass_ItsClassPredictsFromIt()
    {
        var estimates = Taught(high: false);
        estimates.Observe(PriorityClass.Critical, TimeSpan.FromSeconds(2), 100, 50, 50);
        Assert.True(estimates.HasSample(PriorityClass.Critical));
        Assert.False(estimates.HasSample(PriorityClass.Normal));
        Assert.Same(estimates.Of(PriorityClass.Critical), estimates.For(PriorityClass.Critical));
        Assert.Equal(TimeSpan.FromSeconds(2), estimates.Predict(PriorityClass.Critical, 2000, 400)); // its mean, until it has rates
    }

    [Fact]
    public void MeanFor_PreemptingEngine_ItsClass_ElseTheMeanOverAll()
    {
        var estimates = new ServiceEstimates(TimeSpan.FromSeconds(1), smoothing: 1);
        estimates.Observe(PriorityClass.Batch, TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(9), estimates.MeanFor(PriorityClass.High, preempting: true)); // none of its class yet: the mean over all
        estimates.Observe(PriorityClass.High, TimeSpan.FromSeconds(1));
        estimates.Observe(PriorityClass.Batch, TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), estimates.MeanFor(PriorityClass.High, preempting: true));
        Assert.Equal(TimeSpan.FromSeconds(9), estimates.MeanFor(PriorityClass.High, preempting: false)); // it waits for batch requests in flight too
        Assert.Equal(TimeSpan.FromSeconds(9), estimates.Mean);
    }
}
