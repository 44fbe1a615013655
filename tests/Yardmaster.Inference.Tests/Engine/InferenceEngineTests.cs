using System.Text;
using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Engine;

public sealed class InferenceEngineTests : IDisposable
{
    private const string ReferenceText =
        " Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high";

    private readonly LlamaModel _model = LlamaModel.Load(SharedModels.Stories260K);
    private readonly ITokenizer _tokenizer;

    public InferenceEngineTests() => _tokenizer = TokenizerFactory.FromGguf(_model.File);

    [Fact]
    public async Task Submit_GreedyFromBos_ReproducesReferenceText()
    {
        using var engine = Engine(slots: 1);

        var (text, finish) = await RunAsync(engine, [1], 60);

        Assert.Equal(ReferenceText, text);
        Assert.Equal(new GenerationFinished(FinishReason.Length, 1, 60), finish);
    }

    [Fact]
    public async Task Submit_FourConcurrentSequences_GiveSameTextsAsOneAtATime()
    {
        string[] prompts = ["Once upon a time", "The cat", "Lily and Ben went to", "One day"];
        var alone = new List<string>();
        using (var single = Engine(slots: 1))
        {
            foreach (var p in prompts)
            {
                alone.Add((await RunAsync(single, _tokenizer.Encode(p, true, false), 40)).Text);
            }
        }

        using var engine = Engine(slots: 4);
        var together = await Task.WhenAll(prompts.Select(p => RunAsync(engine, _tokenizer.Encode(p, true, false), 40)));

        Assert.Equal(alone, together.Select(t => t.Text));
        Assert.All(together, t => Assert.Equal(FinishReason.Length, t.Finish.Reason));
    }

    [Fact]
    public async Task Submit_StopString_EndsWithStopAndOmitsIt()
    {
        using var engine = Engine(slots: 1);
        var request = new GenerationRequest([1], SamplingOptions.Greedy, 60, ["little girl"]);

        var (text, finish) = await RunAsync(engine, request);

        Assert.Equal(" Once upon a time, there was a ", text);
        Assert.Equal(FinishReason.Stop, finish.Reason);
    }

    [Fact]
    public async Task Submit_CancelledMidGeneration_FreesSlotForNextRequest()
    {
        using var engine = Engine(slots: 1);
        using var cts = new CancellationTokenSource();
        var request = new GenerationRequest([1], SamplingOptions.Greedy, 2000, []) { IgnoreEndOfGeneration = true };
        var generation = engine.Submit(request, cts.Token).Generation!;

        await generation.Events.ReadAsync(TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        GenerationFinished? last = null;
        await foreach (var e in generation.Events.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            last = e as GenerationFinished ?? last;
        }

        Assert.Equal(FinishReason.Cancelled, last!.Reason);
        Assert.True(last.CompletionTokens < 2000);
        Assert.Equal(0, engine.Status.BusySlots);
        var (text, _) = await RunAsync(engine, [1], 5);
        Assert.Equal(" Once upon a time,", text);
    }

    [Fact]
    public async Task Submit_MoreThanSlotsPlusQueue_RefusesWithRetryAfter()
    {
        using var engine = Engine(slots: 1, queue: 1);
        using var cts = new CancellationTokenSource();
        var longRequest = new GenerationRequest([1], SamplingOptions.Greedy, 100_000, []) { IgnoreEndOfGeneration = true };

        var running = engine.Submit(longRequest, cts.Token);
        var queued = engine.Submit(longRequest, cts.Token);
        var refused = engine.Submit(longRequest, cts.Token);

        Assert.NotNull(running.Generation);
        Assert.NotNull(queued.Generation);
        Assert.Equal(SubmitRefusal.QueueFull, refused.Refusal);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        await cts.CancelAsync();
        await Drain(running.Generation!);
        await Drain(queued.Generation!);
        Assert.Equal(new EngineStatus(1, 0, 0, 1, 2), engine.Status);
    }

    [Fact]
    public void Submit_PromptLongerThanContext_RefusedNamingBothLengths()
    {
        using var engine = Engine(slots: 1, ctx: 32);

        var result = engine.Submit(new GenerationRequest(new int[40], SamplingOptions.Greedy, 4, []), TestContext.Current.CancellationToken);

        Assert.Equal(SubmitRefusal.PromptTooLong, result.Refusal);
        Assert.Contains("40 tokens", result.Message, StringComparison.Ordinal);
        Assert.Contains("32 tokens", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_ContextFills_EndsWithLength()
    {
        using var engine = Engine(slots: 1, ctx: 16);
        var request = new GenerationRequest([1, 403], SamplingOptions.Greedy, 1000, []) { IgnoreEndOfGeneration = true };

        var (_, finish) = await RunAsync(engine, request);

        Assert.Equal(FinishReason.Length, finish.Reason);
        Assert.Equal(15, finish.CompletionTokens);
    }

    [Fact]
    public async Task Submit_SameSeed_GivesSameSampledText()
    {
        using var engine = Engine(slots: 2);
        var sampling = new SamplingOptions { Temperature = 1f, TopK = 0, TopP = 0.9f, Seed = 1234 };
        var request = new GenerationRequest([1], sampling, 30, []);

        var first = await RunAsync(engine, request);
        var second = await RunAsync(engine, request);
        var other = await RunAsync(engine, request with { Sampling = sampling with { Seed = 99 } });

        Assert.Equal(first.Text, second.Text);
        Assert.NotEqual(first.Text, other.Text);
    }

    public void Dispose() => _model.Dispose();

    private InferenceEngine Engine(int slots, int queue = 8, int ctx = 256) =>
        new(_model, _tokenizer, new EngineOptions { Slots = slots, MaxQueue = queue, ContextLength = ctx, Threads = 2 });

    private static Task<(string Text, GenerationFinished Finish)> RunAsync(InferenceEngine engine, int[] prompt, int maxTokens) =>
        RunAsync(engine, new GenerationRequest(prompt, SamplingOptions.Greedy, maxTokens, []));

    internal static async Task<(string Text, GenerationFinished Finish)> RunAsync(InferenceEngine engine, GenerationRequest request)
    {
        var result = engine.Submit(request, TestContext.Current.CancellationToken);
        Assert.Equal(SubmitRefusal.None, result.Refusal);
        var text = new StringBuilder();
        GenerationFinished? finish = null;
        await foreach (var e in result.Generation!.Events.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            if (e is GenerationText t)
            {
                text.Append(t.Text);
            }
            else
            {
                finish = (GenerationFinished)e;
            }
        }

        return (text.ToString(), finish!);
    }

    private static async Task Drain(Generation generation)
    {
        await foreach (var _ in generation.Events.ReadAllAsync(TestContext.Current.CancellationToken))
        {
        }
    }
}
