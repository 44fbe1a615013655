using System.Globalization;
using Yardmaster.Inference.Sampling;

namespace Yardmaster.Inference.Tests.Sampling;

public class SamplerTests
{
    private const int Draws = 20_000;

    /// <summary>Probabilities at temperature 1: 0.563, 0.207, 0.126, 0.076, 0.028.</summary>
    private static readonly float[] _logits = [2f, 1f, 0.5f, 0f, -1f];

    private static readonly SamplingOptions _untruncated = new() { Temperature = 1, TopK = 0, TopP = 1, MinP = 0 };

    public static TheoryData<float[], int> ArgMaxCases => new()
    {
        { new[] { 0.1f, 0.7f, 0.3f }, 1 },
        { new[] { 5f, -1f, 4.99f }, 0 },
        { new[] { -3f, -2f, -2.5f, -7f }, 1 },
        { new[] { 0f, 0f, 0f, 1e-6f }, 3 },
        { new[] { float.NegativeInfinity, -1e30f, 42f }, 2 },
    };

    [Theory]
    [MemberData(nameof(ArgMaxCases))]
    public void Sample_Greedy_ReturnsArgMax(float[] logits, int expected)
    {
        var sampler = new Sampler(SamplingOptions.Greedy);

        Assert.Equal(expected, sampler.Sample(logits));
    }

    [Theory]
    [InlineData(0.1f, 1UL)]
    [InlineData(1f, 2UL)]
    [InlineData(2f, 3UL)]
    public void Sample_TopKOne_AlwaysReturnsArgMaxAtAnyTemperature(float temperature, ulong seed)
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = temperature, TopK = 1, Seed = seed });

        var tokens = Enumerable.Range(0, 500).Select(_ => sampler.Sample(_logits)).Distinct();

        Assert.Equal([0], tokens);
    }

    [Fact]
    public void Sample_TinyTopP_AlwaysReturnsMostLikelyToken()
    {
        var sampler = new Sampler(_untruncated with { Temperature = 2, TopP = 1e-6f, Seed = 7 });

        var tokens = Enumerable.Range(0, 500).Select(_ => sampler.Sample(_logits)).Distinct();

        Assert.Equal([0], tokens);
    }

    /// <summary>
    /// Each row keeps a set of tokens (the probabilities above are before temperature, as llama.cpp
    /// applies top-k, top-p and min-p before temperature) and draws from the softmax of the kept logits
    /// divided by the temperature. 20,000 seeded draws must match that distribution.
    /// </summary>
    [Theory]
    [InlineData("no truncation", 1f, 0, 1f, 0f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("temperature 0.5 sharpens", 0.5f, 0, 1f, 0f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("temperature 2 flattens", 2f, 0, 1f, 0f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("top_k 2", 1f, 2, 1f, 0f, new[] { 0, 1 })]
    [InlineData("top_k 3 (default 40 is more than the vocabulary)", 1f, 3, 1f, 0f, new[] { 0, 1, 2 })]
    [InlineData("top_p 0.7: 0.563 + 0.207 reach it", 1f, 0, 0.7f, 0f, new[] { 0, 1 })]
    [InlineData("top_p 0.7 before temperature 2", 2f, 0, 0.7f, 0f, new[] { 0, 1 })]
    [InlineData("min_p 0.2: 0.126 ≥ 0.2 × 0.563, 0.076 is not", 1f, 0, 1f, 0.2f, new[] { 0, 1, 2 })]
    [InlineData("min_p 0.3: keeps 0.207, not 0.126", 1f, 0, 1f, 0.3f, new[] { 0, 1 })]
    [InlineData("top_k 4 then top_p 0.85 then min_p 0.3", 1.5f, 4, 0.85f, 0.3f, new[] { 0, 1 })]
    public void Sample_ManySeededDraws_MatchSoftmaxOfKeptTokens(string name, float temperature, int topK, float topP, float minP, int[] kept)
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP, Seed = 12345 });
        var expected = Softmax(_logits, kept, temperature);

        var counts = new int[_logits.Length];
        for (var i = 0; i < Draws; i++)
        {
            counts[sampler.Sample(_logits)]++;
        }

        var observed = counts.Select(c => (double)c / Draws).ToArray();
        var maxDiff = expected.Zip(observed, (e, o) => Math.Abs(e - o)).Max();
        // Pearson's chi-square over the kept tokens, against its 99.9 % quantile for kept - 1 degrees of freedom.
        var chiSquare = kept.Sum(t => Math.Pow(counts[t] - (Draws * expected[t]), 2) / (Draws * expected[t]));
        double[] quantile999 = [0, 10.83, 13.82, 16.27, 18.47];
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{name}: expected [{string.Join(", ", expected.Select(p => p.ToString("F4", CultureInfo.InvariantCulture)))}], drew [{string.Join(", ", observed.Select(p => p.ToString("F4", CultureInfo.InvariantCulture)))}], chi-square {chiSquare:F2}");
        Assert.True(Enumerable.Range(0, _logits.Length).Except(kept).All(t => counts[t] == 0), detail);
        Assert.True(maxDiff < 0.015, detail);
        Assert.True(chiSquare < quantile999[kept.Length - 1], detail);
    }

    [Fact]
    public void Sample_SameSeed_GivesSameDrawsAndOtherSeedsDiffer()
    {
        int[] Draw(ulong seed)
        {
            var sampler = new Sampler(_untruncated with { Seed = seed });
            return Enumerable.Range(0, 200).Select(_ => sampler.Sample(_logits)).ToArray();
        }

        var first = Draw(42);

        Assert.Equal(first, Draw(42));
        Assert.NotEqual(first, Draw(43));
        Assert.NotEqual(first, Draw(1UL << 40));
    }

    /// <summary>llama.cpp's rule: a repeated token's positive logit is divided by the penalty, a negative one multiplied.</summary>
    [Theory]
    [InlineData(new[] { 3f, 2f, -1f }, 2f, 1)] // 3 / 2 = 1.5 < 2
    [InlineData(new[] { 3f, 2f, -1f }, 1.4f, 0)] // 3 / 1.4 = 2.14 > 2: not enough
    [InlineData(new[] { -1f, -1.2f, -5f }, 1.5f, 1)] // -1 × 1.5 = -1.5 < -1.2 (dividing would raise it to -0.67)
    [InlineData(new[] { 0.5f, 0.1f, -5f }, 10f, 1)] // 0.5 / 10 = 0.05 < 0.1
    [InlineData(new[] { 0.5f, -0.1f, -5f }, 10f, 0)] // 0.05 > -0.1: a positive logit stays positive
    public void Sample_RepetitionPenalty_DividesPositiveAndMultipliesNegativeLogitOfRepeatedToken(float[] logits, float penalty, int expected)
    {
        var sampler = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = penalty }, history: [0]);

        Assert.Equal(expected, sampler.Sample(logits));
    }

    [Theory]
    [InlineData(0.2f, 0f, new[] { 0 }, 0)] // 1.0 - 0.2 = 0.8 > 0.5
    [InlineData(0.2f, 0f, new[] { 0, 0, 0 }, 1)] // 1.0 - 3 × 0.2 = 0.4 < 0.5: frequency counts every occurrence
    [InlineData(0f, 0.4f, new[] { 0, 0, 0 }, 0)] // 1.0 - 0.4 = 0.6 > 0.5: presence counts once
    [InlineData(0f, 0.6f, new[] { 0 }, 1)] // 1.0 - 0.6 = 0.4 < 0.5
    [InlineData(0.1f, 0.35f, new[] { 0, 0 }, 1)] // 1.0 - 2 × 0.1 - 0.35 = 0.45 < 0.5
    [InlineData(0.1f, 0.25f, new[] { 0, 0 }, 0)] // 1.0 - 2 × 0.1 - 0.25 = 0.55 > 0.5
    [InlineData(-0.6f, 0f, new[] { 1 }, 1)] // a negative penalty encourages: 0.5 + 0.6 = 1.1 > 1.0
    public void Sample_FrequencyAndPresencePenalties_SubtractPerOccurrenceAndOnce(float frequency, float presence, int[] history, int expected)
    {
        var sampler = new Sampler(SamplingOptions.Greedy with { FrequencyPenalty = frequency, PresencePenalty = presence }, history);

        Assert.Equal(expected, sampler.Sample([1.0f, 0.5f, 0.2f]));
    }

    [Fact]
    public void Sample_TokenOutsidePenaltyWindow_IsNotPenalized()
    {
        var inWindow = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 4, PenaltyWindow = 3 }, history: [0, 5, 6]);
        var pushedOut = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 4, PenaltyWindow = 2 }, history: [0, 5, 6]);
        var disabled = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 4, PenaltyWindow = 0 }, history: [0, 0, 0]);
        float[] logits = [3f, 2f, 0f, 0f, 0f, 0f, 0f];

        Assert.Equal(1, inWindow.Sample(logits));
        Assert.Equal(0, pushedOut.Sample(logits));
        Assert.Equal(0, disabled.Sample(logits));
    }

    [Fact]
    public void Sample_GreedyWithRepetitionPenalty_PenalizesItsOwnChoicesInTheWindow()
    {
        // Window of one: each chosen token is penalized at the next step only, so greedy alternates.
        var sampler = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 10, PenaltyWindow = 1 });
        float[] logits = [3f, 2f, 1f];

        var tokens = Enumerable.Range(0, 6).Select(_ => sampler.Sample(logits)).ToArray();

        Assert.Equal([0, 1, 0, 1, 0, 1], tokens);
    }

    [Fact]
    public void Validate_EveryOptionOutOfRange_ListsEachByName()
    {
        var options = new SamplingOptions
        {
            Temperature = 2.5f,
            TopK = -1,
            TopP = 0,
            MinP = 1.5f,
            RepetitionPenalty = 0,
            FrequencyPenalty = 2.5f,
            PresencePenalty = -3,
            PenaltyWindow = -1,
        };

        var errors = options.Validate();

        Assert.Equal(8, errors.Count);
        string[] names = ["temperature", "top_k", "top_p", "min_p", "repetition_penalty", "frequency_penalty", "presence_penalty", "penalty window"];
        Assert.All(names, n => Assert.Single(errors, e => e.StartsWith(n + " must be", StringComparison.Ordinal)));
        Assert.Contains("got 2.5", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, 1f)]
    [InlineData(1f, float.NaN)]
    public void Validate_NaN_IsOutOfRange(float temperature, float topP)
    {
        var errors = new SamplingOptions { Temperature = temperature, TopP = topP }.Validate();

        Assert.Single(errors);
    }

    [Fact]
    public void Validate_DefaultsAndGreedy_AreValid()
    {
        Assert.Empty(new SamplingOptions().Validate());
        Assert.Empty(SamplingOptions.Greedy.Validate());
        Assert.Empty(new SamplingOptions { Temperature = 0, TopK = 0, TopP = 1, MinP = 1, RepetitionPenalty = 10, FrequencyPenalty = -2, PresencePenalty = 2, PenaltyWindow = 1 << 20 }.Validate());
    }

    private static double[] Softmax(float[] logits, int[] kept, float temperature)
    {
        var max = kept.Max(t => logits[t]);
        var weights = new double[logits.Length];
        foreach (var t in kept)
        {
            weights[t] = Math.Exp((logits[t] - max) / temperature);
        }

        var sum = weights.Sum();
        return weights.Select(w => w / sum).ToArray();
    }
}
