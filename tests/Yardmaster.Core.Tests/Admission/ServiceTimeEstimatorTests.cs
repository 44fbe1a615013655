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

    private static ServiceTimeEstimator Taught(Func<int, int, double> seconds, int? maxTokens = null, Func<int, int>? generated = null)
    {
        var estimator = new ServiceTimeEstimator(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 40; i++)
        {
            var (prompt, asked) = (i * 97 % 3000, i * 31 % 500 + 1);
            var output = generated?.Invoke(asked) ?? asked;
            estimator.Observe(TimeSpan.FromSeconds(seconds(prompt, output)), prompt, output, maxTokens ?? asked);
        }

        return estimator;
    }

    [Fact]
    public void Predict_NoTokenCountsObserved_IsTheMean()
    {
        var estimator = new ServiceTimeEstimator(TimeSpan.FromSeconds(2));
        estimator.Observe(TimeSpan.FromSeconds(4));
        Assert.Null(estimator.Rates);
        Assert.Equal(TimeSpan.FromSeconds(4), estimator.Predict(40_000, 4096));
    }

    [Fact]
    public void Predict_RatesLearned_FromTheRequestsOwnPromptAndMaxTokens()
    {
        var estimator = Taught((p, o) => (p / 4000.0) + (o / 100.0));
        Assert.Equal(10 + 2, estimator.Predict(40_000, 200).TotalSeconds, 6);
        Assert.Equal(0.25 + 0.1, estimator.Predict(1_000, 10).TotalSeconds, 6);
        Assert.True(estimator.Predict(1_000, 10) < estimator.Mean);
    }

    [Fact]
    public void Predict_AnswersUsuallyEndBeforeMaxTokens_OutputTakenAsTheirMeanLength()
    {
        // Every client asks max_tokens 4096; answers end on their own after about 200 tokens.
        var estimator = Taught((p, o) => o / 100.0, maxTokens: 4096, generated: asked => 150 + (asked % 100));
        Assert.InRange(estimator.Predict(100, 4096).TotalSeconds, 1.5, 2.5);
        Assert.Equal(0.1, estimator.Predict(100, 10).TotalSeconds, 6); // a smaller max_tokens still bounds it
    }

    [Fact]
    public void Predict_FewAnswersEndEarly_OutputStaysNearMaxTokens()
    {
        // Answers run to their max_tokens, but every tenth is cut at 5 tokens (its prompt fills the context): a prediction
        // made from the short ones alone would call a 400-token answer a 5-token one.
        var estimator = Taught((p, o) => o / 100.0, generated: asked => asked % 10 == 0 ? 5 : asked);
        Assert.InRange(estimator.Predict(100, 400).TotalSeconds, 3.0, 4.0);
    }

    [Fact]
    public void Predict_UnknownCounts_TakenAsTheMeansObserved()
    {
        var estimator = Taught((p, o) => o / 100.0);
        Assert.InRange(estimator.Predict(null, null).TotalSeconds, 0.01, 5.01);
    }
}
