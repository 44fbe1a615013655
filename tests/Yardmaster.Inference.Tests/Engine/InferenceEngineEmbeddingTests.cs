using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Engine;

public sealed class InferenceEngineEmbeddingTests
{
    private static readonly string[] Texts = ["Once upon a time", "The cat sat on the mat and looked at the big red ball.", "Lily"];

    /// <summary>Engine shapes: roomy; and tight, so inputs are packed in one cache, cut into chunks across batches and wrap to position 0.</summary>
    public static TheoryData<string, int, int, int> Shapes => new()
    {
        { SharedModels.Stories260K, 4, 256, 128 },
        { SharedModels.Stories260K, 1, 24, 5 },
        { SharedModels.TinyRandomLlama, 2, 64, 128 },
        { SharedModels.TinyRandomLlama, 1, 20, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task EmbedAsync_ThreeInputs_MatchIndependentForwardPass(string path, int slots, int ctx, int batch)
    {
        using var model = LlamaModel.Load(path);
        var tokenizer = TokenizerFactory.FromGguf(model.File);
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = slots, ContextLength = ctx, MaxBatchTokens = batch, Threads = 2 });
        var inputs = Texts.Select(t => tokenizer.Encode(t, tokenizer.AddBos, parseSpecial: false)).ToArray();
        var reference = new ReferenceEmbedding(model.File);

        var result = await engine.EmbedAsync(new EmbeddingRequest(inputs), TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Stop, result.Finish);
        Assert.Equal(inputs.Sum(i => i.Length), result.PromptTokens);
        Assert.Equal(3, result.Vectors!.Count);
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = reference.Embed(inputs[i]);
            var actual = result.Vectors[i];
            Assert.Equal(model.Config.Dim, actual.Length);
            Assert.Equal(1.0, Math.Sqrt(actual.Sum(v => (double)v * v)), 1e-5);
            for (var d = 0; d < expected.Length; d++)
            {
                Assert.True(Math.Abs(expected[d] - actual[d]) <= 1e-4, $"input {i} dimension {d}: reference {expected[d]}, runtime {actual[d]}");
            }
        }

        Assert.NotEqual(result.Vectors[0], result.Vectors[1]);
        Assert.Equal(0, engine.Status.BusySlots);
    }

    [Fact]
    public async Task EmbedAsync_WhileAGenerationDecodes_LeavesItsTextUnchanged()
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        var tokenizer = TokenizerFactory.FromGguf(model.File);
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = 2, ContextLength = 128, MaxBatchTokens = 6, Threads = 2 });
        var inputs = Texts.Select(t => tokenizer.Encode(t, true, false)).ToArray();
        var alone = await engine.EmbedAsync(new EmbeddingRequest(inputs), TestContext.Current.CancellationToken);

        var generation = InferenceEngineTests.RunAsync(engine, new GenerationRequest([1], SamplingOptions.Greedy, 60, []));
        var embeddings = new List<EmbeddingResult>();
        while (!generation.IsCompleted)
        {
            embeddings.Add(await engine.EmbedAsync(new EmbeddingRequest(inputs), TestContext.Current.CancellationToken));
        }

        var (text, _) = await generation;
        Assert.Equal(
            " Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high",
            text);
        Assert.NotEmpty(embeddings);
        Assert.All(embeddings, e => Assert.Equal(alone.Vectors!.SelectMany(v => v), e.Vectors!.SelectMany(v => v)));
    }

    [Fact]
    public async Task EmbedAsync_LongInputsWhileAGenerationDecodes_TakeASixteenthOfEachStepAndMatchTheirVectorsAlone()
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        var tokenizer = TokenizerFactory.FromGguf(model.File);
        // A context of 2048 so that the generation (2000 steps, against about 100 for the embeddings) still decodes when the
        // embedding request arrives, even when this thread waits for a core (the first cut, 200 steps, failed on a loaded CI run).
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = 2, ContextLength = 2048, MaxBatchTokens = 64, Threads = 2 });
        var text = string.Join(' ', Enumerable.Repeat("The cat sat on the mat and looked at the big red ball.", 8));
        var inputs = Enumerable.Range(0, 4).Select(_ => tokenizer.Encode(text, true, false)).ToArray();
        var alone = await engine.EmbedAsync(new EmbeddingRequest(inputs), TestContext.Current.CancellationToken);
        Assert.Equal(0, engine.MostEmbeddingTokensBesideDecodes);

        var generation = InferenceEngineTests.RunAsync(engine, new GenerationRequest([1], SamplingOptions.Greedy, 2000, []) { IgnoreEndOfGeneration = true });
        var beside = await engine.EmbedAsync(new EmbeddingRequest(inputs), TestContext.Current.CancellationToken);
        Assert.False(generation.IsCompleted, "the generation ended before the embeddings: nothing was measured beside it");
        await generation;

        Assert.Equal(4, engine.EmbeddingTokensBesideDecodes);
        Assert.Equal(4, engine.MostEmbeddingTokensBesideDecodes);
        Assert.Equal(alone.Vectors!.SelectMany(v => v), beside.Vectors!.SelectMany(v => v));
    }

    [Fact]
    public async Task EmbedAsync_BadInputs_RefusedNamingTheInput()
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        using var engine = new InferenceEngine(model, TokenizerFactory.FromGguf(model.File), new EngineOptions { Slots = 1, ContextLength = 8, Threads = 1 });
        var ct = TestContext.Current.CancellationToken;

        var tooLong = await engine.EmbedAsync(new EmbeddingRequest([[1, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9]]), ct);
        var empty = await engine.EmbedAsync(new EmbeddingRequest([[1], []]), ct);
        var badId = await engine.EmbedAsync(new EmbeddingRequest([[1, 512]]), ct);
        var none = await engine.EmbedAsync(new EmbeddingRequest([]), ct);
        var full = await engine.EmbedAsync(new EmbeddingRequest([[1, 2, 3, 4, 5, 6, 7, 8]]), ct);

        Assert.Equal((SubmitRefusal.PromptTooLong, "input 1 is 9 tokens but the context is 8 tokens"), (tooLong.Refusal, tooLong.Message));
        Assert.Equal((SubmitRefusal.Invalid, "input 1 is empty"), (empty.Refusal, empty.Message));
        Assert.Equal((SubmitRefusal.Invalid, "input 0: token id 512 is outside the vocabulary (0..511)"), (badId.Refusal, badId.Message));
        Assert.Equal(SubmitRefusal.Invalid, none.Refusal);
        Assert.Equal(FinishReason.Stop, full.Finish); // exactly the context fits: no token is kept for an answer
    }

    [Fact]
    public async Task EmbedAsync_CancelledWhileQueued_EndsCancelledAndTheSlotServesOthers()
    {
        using var model = LlamaModel.Load(SharedModels.Stories260K);
        var tokenizer = TokenizerFactory.FromGguf(model.File);
        using var engine = new InferenceEngine(model, tokenizer, new EngineOptions { Slots = 1, ContextLength = 64, Threads = 1 });
        var ct = TestContext.Current.CancellationToken;
        using var busy = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var generation = engine.Submit(new GenerationRequest([1], SamplingOptions.Greedy, 60, []) { IgnoreEndOfGeneration = true }, busy.Token).Generation!;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queued = engine.EmbedAsync(new EmbeddingRequest([[1, 403]]), cancel.Token);

        await cancel.CancelAsync();
        var cancelled = await queued;
        await busy.CancelAsync();
        await foreach (var _ in generation.Events.ReadAllAsync(ct))
        {
        }

        var after = await engine.EmbedAsync(new EmbeddingRequest([[1, 403]]), ct);
        Assert.Equal(FinishReason.Cancelled, cancelled.Finish);
        Assert.Null(cancelled.Vectors);
        Assert.Equal(FinishReason.Stop, after.Finish);
        Assert.Equal(0, engine.Status.BusySlots);
    }
}
