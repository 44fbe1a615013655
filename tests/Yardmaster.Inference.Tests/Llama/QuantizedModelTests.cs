using System.Globalization;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Tests.Llama;

/// <summary>
/// The same synthetic weights stored as F32, F16 and Q8_0 (dim 128, 4 layers, 4 heads, ffn 384, the
/// stories260K vocabulary of 512 tokens) must give nearly the same logits and the same greedy tokens.
/// </summary>
public sealed class QuantizedModelTests : IClassFixture<SyntheticModelFiles>
{
    private const int GreedyTokens = 16;

    /// <summary>Eight stories260K tokens: BOS and " Once upon a time, there was".</summary>
    private static readonly int[] _prompt = [1, 403, 407, 261, 378, 432, 383, 286];

    private readonly SyntheticModelFiles _models;

    public QuantizedModelTests(SyntheticModelFiles models) => _models = models;

    /// <remarks>
    /// The bounds come from each type's rounding error. Q8_0 stores blocks of 32 weights as
    /// <c>round(w / d)</c> with <c>d = max|w| / 127</c>: each weight is off by at most <c>d / 2</c>, with an
    /// RMS of <c>d / √12</c>, about 0.6 % of the weights' standard deviation (the largest of 32 normal
    /// values is about 2.5 σ). A row of n weights of σ = 1/√n dotted with a unit-RMS input is then off by
    /// about 0.6 % of its unit-RMS output, and 29 such products in a row (7 per layer and the output)
    /// add up like a random walk to √29 × 0.6 % ≈ 3 % of the logits' RMS. Measured over seeds 1..12: RMS
    /// difference 1.7–2.9 % of the logits' RMS, largest difference 1.8–2.8 % of the largest logit. The
    /// bounds (5 % and 5 %) leave twice the measured error. F16 keeps 11 significant bits (relative error
    /// ≤ 2^-11 per weight, RMS about 0.03 % of σ, some 20 times less than Q8_0): measured RMS 0.07–0.12 %
    /// and largest 0.07–0.13 %; bounds 0.5 % for both.
    /// </remarks>
    [Theory]
    [InlineData(GgmlType.Q8_0, 0.05, 0.05)]
    [InlineData(GgmlType.F16, 0.005, 0.005)]
    public void Run_PromptOnSameWeightsAsF32_GivesLogitsWithinTheTypesErrorBound(GgmlType type, double maxBound, double rmsBound)
    {
        var reference = PromptLogits(_models.Path(GgmlType.F32));
        var logits = PromptLogits(_models.Path(type));

        var largest = reference.Max(MathF.Abs);
        var rmsLogit = Math.Sqrt(reference.Average(x => (double)x * x));
        var maxDiff = reference.Zip(logits, (a, b) => Math.Abs(a - b)).Max();
        var rmsDiff = Math.Sqrt(reference.Zip(logits, (a, b) => (double)(a - b) * (a - b)).Average());
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{type}: largest |logit| {largest:F3}, RMS {rmsLogit:F3}; largest difference {maxDiff:F5} ({maxDiff / largest:P2}), RMS difference {rmsDiff:F5} ({rmsDiff / rmsLogit:P2})"));

        Assert.InRange(largest, 1, 100); // logits that are all near zero would make any bound pass
        Assert.True(maxDiff <= maxBound * largest, $"{type}: largest difference {maxDiff} exceeds {maxBound:P1} of the largest logit {largest}");
        Assert.True(rmsDiff <= rmsBound * rmsLogit, $"{type}: RMS difference {rmsDiff} exceeds {rmsBound:P1} of the logits' RMS {rmsLogit}");
        Assert.True(rmsDiff > 0, $"{type}: the logits are identical to F32's; the file holds F32 weights");
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.F16)]
    public void Run_GreedyOnSameWeightsAsF32_GivesSameTokensWithClearMargins(GgmlType type)
    {
        var (reference, referenceMargin) = Greedy(_models.Path(GgmlType.F32));
        var (tokens, margin) = Greedy(_models.Path(type));

        Assert.Equal(reference, tokens);
        // Every choice was clear in both encodings, so the agreement is not the luck of a near-tie, and a
        // change of summation order (another SIMD width, about 1e-5) cannot flip it.
        Assert.True(referenceMargin >= 0.1f, $"F32: a top-2 margin of {referenceMargin}");
        Assert.True(margin >= 0.1f, $"{type}: a top-2 margin of {margin}");
        Assert.True(reference.Distinct().Count() > 1, "greedy decoding repeats one token: a degenerate model");
    }

    /// <summary>Logits after each of the prompt's tokens, one run of the whole prompt as a batch.</summary>
    private static float[] PromptLogits(string path)
    {
        using var model = LlamaModel.Load(path);
        using var pass = new ForwardPass(model, maxBatch: _prompt.Length, threads: 1, maxContext: 32);
        using var cache = new KvCache(model.Config, 32);
        pass.Run(_prompt.Select((t, i) => new BatchToken(cache, t, i, WantLogits: true)).ToArray());
        return Enumerable.Range(0, _prompt.Length).SelectMany(i => pass.Logits(i).ToArray()).ToArray();
    }

    /// <summary>Greedy tokens after the prompt, and the smallest gap between the best and second-best logit on the way.</summary>
    private static (int[] Tokens, float MinMargin) Greedy(string path)
    {
        using var model = LlamaModel.Load(path);
        using var pass = new ForwardPass(model, maxBatch: _prompt.Length, threads: 1, maxContext: 32);
        using var cache = new KvCache(model.Config, 32);
        pass.Run(_prompt.Select((t, i) => new BatchToken(cache, t, i, WantLogits: i == _prompt.Length - 1)).ToArray());
        var tokens = new List<int>();
        var margin = float.PositiveInfinity;
        for (var i = 0; i < GreedyTokens; i++)
        {
            var logits = pass.Logits(0);
            var token = ForwardPassTests.ArgMax(logits);
            var second = float.NegativeInfinity;
            for (var j = 0; j < logits.Length; j++)
            {
                second = j == token ? second : MathF.Max(second, logits[j]);
            }

            margin = MathF.Min(margin, logits[token] - second);
            tokens.Add(token);
            pass.Run([new BatchToken(cache, token, _prompt.Length + i, WantLogits: true)]);
        }

        return ([.. tokens], margin);
    }
}
