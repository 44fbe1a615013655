using System.Text;
using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Tests.Engine;

/// <summary>Priority inside the engine: a more urgent request takes a less urgent sequence's slot; the preempted one resumes and ends as if alone.</summary>
/// <remarks>
/// Its long generations keep both cores busy for seconds: run alone (not beside the other test classes), so that they neither
/// starve the timing of others (a request submitted "while a generation decodes") nor are starved themselves.
/// </remarks>
[Collection(nameof(InferenceEnginePreemptionTests))]
[CollectionDefinition(nameof(InferenceEnginePreemptionTests), DisableParallelization = true)]
public sealed class InferenceEnginePreemptionTests : IDisposable
{
    private const int Urgent = 1;
    private const int Batch = 4;

    // Long enough that a sequence is still decoding when the test submits the next request (stories260K decodes a token in tens of µs).
    private const int LongTokens = 2000;

    private readonly LlamaModel _model = LlamaModel.Load(SharedModels.Stories260K);
    private readonly ITokenizer _tokenizer;

    public InferenceEnginePreemptionTests() => _tokenizer = TokenizerFactory.FromGguf(_model.File);

    [Fact]
    public async Task Submit_UrgentWithEverySlotBusy_PreemptsTheBatchSequenceAndBothEndAsIfAlone()
    {
        var batch = Request("Once upon a time", LongTokens, Batch);
        var urgent = Request("The cat", 40, Urgent);
        string batchAlone, urgentAlone;
        using (var alone = Engine(slots: 1))
        {
            batchAlone = (await InferenceEngineTests.RunAsync(alone, batch)).Text;
            urgentAlone = (await InferenceEngineTests.RunAsync(alone, urgent)).Text;
        }

        using var engine = Engine(slots: 1);
        var running = engine.Submit(batch, TestContext.Current.CancellationToken).Generation!;
        await running.Events.WaitToReadAsync(TestContext.Current.CancellationToken); // decoding
        var batchRun = ReadAsync(running);

        var urgentRun = await InferenceEngineTests.RunAsync(engine, urgent);
        var statusAtUrgentEnd = engine.Status;
        var batchEndedFirst = batchRun.IsCompleted;
        var batchRunResult = await batchRun;

        Assert.Equal(urgentAlone, urgentRun.Text);
        Assert.Equal(FinishReason.Length, urgentRun.Finish.Reason);
        Assert.False(batchEndedFirst, "the batch sequence ended before the urgent one");
        Assert.Equal(1, statusAtUrgentEnd.Preemptions);
        Assert.Equal(0, statusAtUrgentEnd.Recomputed); // the slot's untouched cache could hold it
        Assert.Equal(batchAlone, batchRunResult.Text);
        Assert.Equal(new GenerationFinished(FinishReason.Length, batch.Prompt.Length, LongTokens), batchRunResult.Finish);
        Assert.Equal(0, engine.Status.Preempted);
    }

    [Fact]
    public async Task Submit_PreemptedWhenNoCacheCanBeKept_RecomputesAndEndsAsIfAlone()
    {
        var batch = Request("Lily and Ben went to", LongTokens, Batch);
        var urgent = Request("One day", 40, Urgent);
        string batchAlone;
        using (var alone = Engine(slots: 1))
        {
            batchAlone = (await InferenceEngineTests.RunAsync(alone, batch)).Text;
        }

        using var engine = Engine(slots: 1);
        // A first request to the end of the context: every position of the slot's cache is resident, none is left to keep a cache in.
        var fill = await InferenceEngineTests.RunAsync(engine, new GenerationRequest([1], SamplingOptions.Greedy, 100_000, []) { IgnoreEndOfGeneration = true });
        Assert.Equal(FinishReason.Length, fill.Finish.Reason);
        var running = engine.Submit(batch, TestContext.Current.CancellationToken).Generation!;
        await running.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        var batchRun = ReadAsync(running);

        await InferenceEngineTests.RunAsync(engine, urgent);
        var status = engine.Status;

        Assert.Equal(1, status.Preemptions);
        Assert.Equal(1, status.Recomputed);
        Assert.Equal(batchAlone, (await batchRun).Text);
    }

    [Fact]
    public async Task Submit_TwoUrgentOnTwoBusySlots_PreemptBothAndEveryoneEndsAsIfAlone()
    {
        GenerationRequest[] batches = [Request("Once upon a time", LongTokens, Batch), Request("The dog", LongTokens, Batch + 1)];
        GenerationRequest[] urgents = [Request("One day", 30, Urgent), Request("Lily", 30, 0)];
        var alone = new List<string>();
        using (var single = Engine(slots: 1))
        {
            foreach (var r in batches.Concat(urgents))
            {
                alone.Add((await InferenceEngineTests.RunAsync(single, r)).Text);
            }
        }

        using var engine = Engine(slots: 2);
        var batchRuns = new List<Task<Run>>();
        foreach (var r in batches)
        {
            var g = engine.Submit(r, TestContext.Current.CancellationToken).Generation!;
            await g.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
            batchRuns.Add(ReadAsync(g));
        }

        var urgentTexts = await Task.WhenAll(urgents.Select(r => InferenceEngineTests.RunAsync(engine, r)));
        var preemptions = engine.Status.Preemptions;
        var batchTexts = await Task.WhenAll(batchRuns);

        Assert.Equal(2, preemptions);
        Assert.Equal(alone, batchTexts.Select(b => b.Text).Concat(urgentTexts.Select(u => u.Text)));
    }

    [Fact]
    public async Task Submit_SamePriority_NeverPreempts()
    {
        using var engine = Engine(slots: 1);
        var first = engine.Submit(Request("Once upon a time", 200, Urgent), TestContext.Current.CancellationToken).Generation!;
        await first.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        var firstRun = ReadAsync(first);

        await InferenceEngineTests.RunAsync(engine, Request("The cat", 5, Urgent));
        var completed = engine.Status.Completed; // the first is counted when it ends, before the second can take the slot
        await firstRun;

        Assert.Equal(0, engine.Status.Preemptions);
        Assert.Equal(2, completed);
    }

    [Fact]
    public async Task Submit_PreemptOff_UrgentWaitsForTheSlot()
    {
        using var engine = Engine(slots: 1, preempt: false);
        var batch = engine.Submit(Request("Once upon a time", 300, Batch), TestContext.Current.CancellationToken).Generation!;
        await batch.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        var batchRun = ReadAsync(batch);

        await InferenceEngineTests.RunAsync(engine, Request("The cat", 5, Urgent));
        var completed = engine.Status.Completed;
        var batchResult = await batchRun;

        Assert.Equal(0, engine.Status.Preemptions);
        Assert.Equal(300, batchResult.Finish.CompletionTokens);
        Assert.Equal(2, completed); // the batch sequence ended before the urgent one took its slot
    }

    [Fact]
    public async Task Submit_QueuedRequests_AreAdmittedMostUrgentFirst()
    {
        using var engine = Engine(slots: 1, preempt: false);
        var blocker = engine.Submit(Request("Once upon a time", 300, Urgent), TestContext.Current.CancellationToken).Generation!;
        await blocker.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        var blockerRun = ReadAsync(blocker);

        var low = ReadAsync(engine.Submit(Request("The dog", LongTokens, Batch), TestContext.Current.CancellationToken).Generation!);
        await ReadAsync(engine.Submit(Request("The cat", 5, 0), TestContext.Current.CancellationToken).Generation!);
        var lowEndedFirst = low.IsCompleted;
        await Task.WhenAll(blockerRun, low);

        Assert.False(lowEndedFirst, "the batch request was admitted before the more urgent one queued after it");
    }

    [Fact]
    public async Task Cancel_WhilePreempted_EndsItCancelledAndFreesItsKeptCache()
    {
        using var engine = Engine(slots: 1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var batch = engine.Submit(Request("Once upon a time", LongTokens, Batch), cancel.Token).Generation!;
        await batch.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        var batchRun = ReadAsync(batch);
        var urgent = engine.Submit(Request("The cat", 100_000, Urgent) with { IgnoreEndOfGeneration = true }, TestContext.Current.CancellationToken).Generation!;
        await urgent.Events.WaitToReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, engine.Status.Preempted);
        Assert.True(engine.KeptBytes > 0, "the preempted sequence's cache was not kept");

        await cancel.CancelAsync();
        var ended = await batchRun;

        Assert.Equal(FinishReason.Cancelled, ended.Finish.Reason);
        Assert.True(ended.Finish.CompletionTokens > 0, "a preempted sequence's tokens so far are reported");
        Assert.Equal(0, engine.Status.Preempted);
        Assert.Equal(0, engine.KeptBytes); // freed with it
        await ReadAsync(urgent);
        Assert.Equal(0, engine.Status.BusySlots);
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    public async Task BackgroundThreads_BatchAloneRunsOnFewer_AnUrgentRequestOnAll_TheTextTheSame()
    {
        var batch = Request("Once upon a time", 200, Batch);
        var urgent = Request("The cat", 200, Urgent);
        string batchAll, urgentAll;
        using (var all = Engine(slots: 2))
        {
            batchAll = (await InferenceEngineTests.RunAsync(all, batch)).Text;
            urgentAll = (await InferenceEngineTests.RunAsync(all, urgent)).Text;
            Assert.Equal(0, all.BackgroundPasses); // not set: every pass on both threads
        }

        using var engine = Engine(slots: 2);
        engine.BackgroundThreads = 1; // as the server sets it while steps hold a core
        var batchOne = await InferenceEngineTests.RunAsync(engine, batch);
        var afterBatch = engine.BackgroundPasses;
        var urgentOne = await InferenceEngineTests.RunAsync(engine, urgent);

        Assert.Equal(batchAll, batchOne.Text); // the same tokens on one thread
        Assert.True(afterBatch >= 200, $"{afterBatch} passes on one thread for 200 batch tokens");
        Assert.Equal(afterBatch, engine.BackgroundPasses); // the urgent request's passes ran on both
        Assert.Equal(urgentAll, urgentOne.Text);

        engine.BackgroundThreads = 0; // the steps ended
        await InferenceEngineTests.RunAsync(engine, batch);
        Assert.Equal(afterBatch, engine.BackgroundPasses);
    }

    [Fact]
    public async Task BackgroundThreadsFrom_Normal_ANormalRequestRunsOnFewer_AHighOneOnAll()
    {
        var normal = Request("Once upon a time", 200, 2);
        var high = Request("The cat", 200, Urgent);
        using var engine = Engine(slots: 2);
        Assert.Equal(3, engine.BackgroundThreadsFrom); // low, by default
        engine.BackgroundThreads = 1;
        await InferenceEngineTests.RunAsync(engine, normal);
        Assert.Equal(0, engine.BackgroundPasses); // normal is not background work by default

        engine.BackgroundThreadsFrom = 2; // pool.background_threads_follow_steps: normal
        var alone = await InferenceEngineTests.RunAsync(engine, normal);
        var afterNormal = engine.BackgroundPasses;
        await InferenceEngineTests.RunAsync(engine, high);

        Assert.True(afterNormal >= 200, $"{afterNormal} passes on one thread for 200 normal tokens");
        Assert.Equal(afterNormal, engine.BackgroundPasses); // the high request's passes ran on both
        Assert.Equal(FinishReason.Length, alone.Finish.Reason);
    }

    [Fact]
    public async Task Submit_BatchPromptWhileAnUrgentSequenceDecodes_TakesASixteenthOfEachStepAndBothEndAsIfAlone()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("The cat sat on the mat and looked at the big red ball.", 12));
        var batch = Request(prompt, 20, Batch);
        var urgent = Request("Once upon a time", LongTokens, Urgent);
        string batchAlone, urgentAlone;
        using (var alone = Engine(slots: 2))
        {
            batchAlone = (await InferenceEngineTests.RunAsync(alone, batch)).Text;
            urgentAlone = (await InferenceEngineTests.RunAsync(alone, urgent)).Text;
            Assert.Equal(0, alone.MostBackgroundPromptTokensBesideUrgentDecodes);
        }

        using var engine = Engine(slots: 2);
        var running = engine.Submit(urgent, TestContext.Current.CancellationToken).Generation!;
        await running.Events.WaitToReadAsync(TestContext.Current.CancellationToken); // decoding
        var urgentRun = ReadAsync(running);
        var batchRun = await InferenceEngineTests.RunAsync(engine, batch);
        Assert.False(urgentRun.IsCompleted, "the urgent sequence ended before the batch prompt was read: nothing was measured beside it");
        var urgentResult = await urgentRun;

        Assert.True(batch.Prompt.Length > 128, $"the prompt ({batch.Prompt.Length} tokens) fits one step: nothing to bound");
        Assert.Equal(8, engine.BackgroundPromptTokensBesideUrgentDecodes);
        Assert.Equal(8, engine.MostBackgroundPromptTokensBesideUrgentDecodes);
        Assert.Equal(batchAlone, batchRun.Text);
        Assert.Equal(urgentAlone, urgentResult.Text);
        Assert.Equal(0, engine.Status.Preemptions);
    }

    private GenerationRequest Request(string prompt, int maxTokens, int priority) =>
        new(_tokenizer.Encode(prompt, true, false), SamplingOptions.Greedy, maxTokens, []) { IgnoreEndOfGeneration = true, Priority = priority };

    private InferenceEngine Engine(int slots, bool preempt = true) =>
        new(_model, _tokenizer, new EngineOptions { Slots = slots, MaxQueue = 8, ContextLength = 4096, Threads = 2, Preempt = preempt });

    private static async Task<Run> ReadAsync(Generation generation)
    {
        var text = new StringBuilder();
        GenerationFinished? finish = null;
        await foreach (var e in generation.Events.ReadAllAsync(TestContext.Current.CancellationToken))
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

        return new Run(text.ToString(), finish!);
    }

    private sealed record Run(string Text, GenerationFinished Finish);
}
