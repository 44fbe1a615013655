using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tests.Llama;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Engine;

/// <summary>llama-2-tiny-random: F16 weights, the 32,000-token Llama-2 vocabulary, random (gibberish) output.</summary>
public sealed class InferenceEngineTinyRandomLlamaTests : IDisposable
{
    private const int MaxTokens = 20;

    private readonly LlamaModel _model = LlamaModel.Load(SharedModels.TinyRandomLlama);
    private readonly ITokenizer _tokenizer;

    public InferenceEngineTinyRandomLlamaTests() => _tokenizer = TokenizerFactory.FromGguf(_model.File);

    [Fact]
    public void Load_TinyRandomLlama_ReadsF16WeightsAndFullVocabulary()
    {
        Assert.Equal(new LlamaConfig(8, 1, 2, 2, 4, 32, 32_000, 4096, 4, 10000f, 1e-5f), _model.Config);
        Assert.Equal(32_000, _tokenizer.VocabularySize);
        Assert.Equal(GgmlType.F16, _model.Embedding.Type);
    }

    [Fact]
    public async Task Submit_Greedy20Tokens_IsDeterministicAndMatchesForwardPassArgMax()
    {
        var prompt = _tokenizer.Encode("Once upon a time", addBos: true, parseSpecial: false);
        var expected = _tokenizer.Decode(GreedyTokens(prompt));
        using var engine = new InferenceEngine(_model, _tokenizer, new EngineOptions { Slots = 1, ContextLength = 64, Threads = 2 });
        var request = new GenerationRequest(prompt, SamplingOptions.Greedy, MaxTokens, []);

        var first = await InferenceEngineTests.RunAsync(engine, request);
        var second = await InferenceEngineTests.RunAsync(engine, request);

        Assert.NotEqual(string.Empty, first.Text.Trim());
        Assert.Equal(expected, first.Text);
        Assert.Equal(first, second);
        Assert.Equal(new GenerationFinished(FinishReason.Length, prompt.Length, MaxTokens), first.Finish);
    }

    public void Dispose() => _model.Dispose();

    /// <summary>The greedy continuation computed directly with a forward pass and arg max, without the engine.</summary>
    private int[] GreedyTokens(int[] prompt)
    {
        using var pass = new ForwardPass(_model, maxBatch: prompt.Length, threads: 1, maxContext: 64);
        using var cache = new KvCache(_model.Config, 64);
        pass.Run(prompt.Select((t, i) => new BatchToken(cache, t, i, WantLogits: i == prompt.Length - 1)).ToArray());
        var generated = new List<int>();
        for (var i = 0; i < MaxTokens; i++)
        {
            var token = ForwardPassTests.ArgMax(pass.Logits(0));
            Assert.False(_tokenizer.IsEndOfGeneration(token), $"the greedy continuation ends after {i} tokens; pick another prompt");
            generated.Add(token);
            pass.Run([new BatchToken(cache, token, prompt.Length + i, WantLogits: true)]);
        }

        return [.. generated];
    }
}
