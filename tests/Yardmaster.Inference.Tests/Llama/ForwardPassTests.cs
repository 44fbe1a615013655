using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Tests.Llama;

public class ForwardPassTests
{
    /// <summary>The reference greedy continuation of BOS from tests/fixtures/models/README.md.</summary>
    public static readonly int[] Stories260KReference =
    [
        403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292,
        411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267,
        337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415,
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Run_GreedyFromBos_ReproducesStories260KReference(int threads)
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        using var pass = new ForwardPass(model, maxBatch: 8, threads, maxContext: 128);
        using var cache = new KvCache(model.Config, 128);

        var generated = new List<int>();
        var token = 1;
        for (var pos = 0; pos < Stories260KReference.Length; pos++)
        {
            pass.Run([new BatchToken(cache, token, pos, WantLogits: true)]);
            token = ArgMax(pass.Logits(0));
            generated.Add(token);
        }

        Assert.Equal(Stories260KReference, generated);
    }

    [Fact]
    public void Run_PromptAsOneBatch_GivesSameLogitsAsTokenByToken()
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        using var pass = new ForwardPass(model, maxBatch: 16, threads: 2, maxContext: 64);
        using var one = new KvCache(model.Config, 64);
        using var batched = new KvCache(model.Config, 64);
        int[] prompt = [1, 403, 407, 261, 378, 432, 383, 286];

        for (var i = 0; i < prompt.Length; i++)
        {
            pass.Run([new BatchToken(one, prompt[i], i, WantLogits: i == prompt.Length - 1)]);
        }

        var expected = pass.Logits(0).ToArray();
        pass.Run(prompt.Select((t, i) => new BatchToken(batched, t, i, i == prompt.Length - 1)).ToArray());
        var actual = pass.Logits(0).ToArray();

        Assert.Equal(prompt.Length, batched.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-4f);
        }
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
