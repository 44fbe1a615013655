using Yardmaster.Core.Admission;

namespace Yardmaster.Core.Tests.Admission;

public sealed class TokenRateFitTests
{
    private static TokenRateFit Fed(IEnumerable<(int Prompt, int Output)> requests, Func<int, int, double> seconds)
    {
        var fit = new TokenRateFit();
        foreach (var (p, o) in requests)
        {
            fit.Observe(seconds(p, o), p, o);
        }

        return fit;
    }

    private static IEnumerable<(int Prompt, int Output)> Varied(int count, int seed = 1)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            yield return (random.Next(10, 40_000), random.Next(1, 2_000));
        }
    }

    [Fact]
    public void Rates_FewerThanMinObservations_Null()
    {
        var fit = Fed(Varied(TokenRateFit.MinObservations - 1), (p, o) => (p / 4000.0) + (o / 100.0));
        Assert.Null(fit.Rates);
        fit.Observe(1, 100, 100);
        Assert.NotNull(fit.Rates);
    }

    [Theory]
    [InlineData(0, 4000, 100)]
    [InlineData(0.25, 9771, 2724)]
    [InlineData(0.05, 224, 65.8)]
    public void Rates_ServiceFromATokenModel_RecoversItsPrefillAndDecodeRates(double fixedSeconds, double prefill, double decode)
    {
        var rates = Fed(Varied(100), (p, o) => fixedSeconds + (p / prefill) + (o / decode)).Rates!;
        Assert.Equal(fixedSeconds, rates.Fixed, 6);
        Assert.Equal(1 / prefill, rates.PerPromptToken, 9);
        Assert.Equal(1 / decode, rates.PerOutputToken, 9);
    }

    [Fact]
    public void Rates_PromptsAllTheSameLength_PromptCostGoesToTheFixedPart()
    {
        var rates = Fed(Enumerable.Range(1, 20).Select(i => (500, i * 10)), (p, o) => (p / 1000.0) + (o / 100.0)).Rates!;
        Assert.Equal(0, rates.PerPromptToken);
        Assert.Equal(0.5, rates.Fixed, 9);
        Assert.Equal(0.01, rates.PerOutputToken, 9);
    }

    [Fact]
    public void Rates_NoTokenCountVaried_NullSoTheMeanIsUsed() =>
        Assert.Null(Fed(Enumerable.Repeat((500, 64), 20), (p, o) => 2).Rates);

    [Fact]
    public void Rates_LongerPromptsFinishingSooner_NoNegativeRate()
    {
        // Noise or a cache can make longer prompts look cheaper; a negative rate would predict a long prompt as free.
        var rates = Fed(Enumerable.Range(1, 30).Select(i => (i * 100, (i % 5) * 50)), (p, o) => 3 - (p / 10_000.0) + (o / 100.0)).Rates!;
        Assert.True(rates is { Fixed: >= 0, PerPromptToken: >= 0, PerOutputToken: >= 0 }, rates.ToString());
        Assert.Equal(0, rates.PerPromptToken);
    }

    [Fact]
    public void Rates_Noisy_PartsNonNegativeAndPredictionsClose()
    {
        var random = new Random(7);
        var requests = Varied(500, seed: 3).ToList();
        var rates = Fed(requests, (p, o) => Math.Max(0, 0.1 + (p / 4000.0) + (o / 100.0) + ((random.NextDouble() - 0.5) * 0.2))).Rates!;
        Assert.True(rates is { Fixed: >= 0, PerPromptToken: >= 0, PerOutputToken: >= 0 });
        foreach (var (p, o) in requests.TakeLast(50))
        {
            Assert.InRange(rates.Service(p, o).TotalSeconds, 0.1 + (p / 4000.0) + (o / 100.0) - 0.5, 0.1 + (p / 4000.0) + (o / 100.0) + 0.5);
        }
    }

    [Fact]
    public void Rates_TheModelGetsSlower_FollowsTheRecentRequests()
    {
        var fit = Fed(Varied(200, seed: 5), (p, o) => o / 100.0);
        foreach (var (p, o) in Varied(400, seed: 6))
        {
            fit.Observe(o / 50.0, p, o);
        }

        Assert.InRange(fit.Rates!.PerOutputToken, 0.99 / 50, 1.01 / 50); // the old rate's weight is (1 - 1/64)^400, about 0.2%
    }

    [Fact]
    public void Observe_NegativeTokens_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenRateFit().Observe(1, -1, 0));
}
