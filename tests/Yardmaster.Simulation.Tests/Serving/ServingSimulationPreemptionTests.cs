using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>
/// The builtin engine's priority preemption, simulated: a busy replica takes a more urgent request, its least urgent sequence
/// pauses with its progress kept and resumes when a slot frees, and every request ends once.
/// </summary>
public sealed class ServingSimulationPreemptionTests
{
    private static readonly DateTimeOffset _epoch = DateTimeOffset.UnixEpoch;

    /// <summary>One warm builtin replica of <paramref name="slots"/> slots (prefill 1,000, decode 100 tokens/s per sequence at any concurrency), tasks `chat` (high) and `nightly` (batch), an hour's deadline.</summary>
    private static Dictionary<long, SimRequest> Run(bool preemption, int slots, params (double At, PriorityClass Priority, int Output)[] requests)
    {
        TaskDefinition[] tasks =
        [
            new() { Name = "chat", Priority = PriorityClass.High, Latency = TimeSpan.FromHours(1), Models = ["m"] },
            new() { Name = "nightly", Priority = PriorityClass.Batch, Latency = TimeSpan.FromHours(1), Models = ["m"] },
        ];
        var model = new ModelDefinition { Name = "m", Path = "m.gguf", Memory = 1L << 30, Slots = slots, ReplicasMin = 1, ReplicasMax = 1, KeepAlive = null };
        var setup = new SimSetup(tasks, [(model, new ModelSpeed(1000, 100, TimeSpan.FromSeconds(1)))], new DeviceSettings { CpuMemory = 1L << 30 }, new SchedulerSettings(), _ => -1, "");
        var simulation = new ServingSimulation(setup, new SimPolicies("default", "fair", "lru", "least-outstanding", Admission: true, EnginePreemption: preemption), () => TimeSpan.FromSeconds(1), _ => EvictionPolicies.Create("lru")!) { Verify = true };
        var ended = new Dictionary<long, SimRequest>();
        simulation.Run(requests.Select((r, i) => Request(i + 1, r.At, r.Priority, r.Output)), _epoch, r => ended.Add(r.Id, r));
        return ended;
    }

    private static SimRequest Request(long id, double at, PriorityClass priority, int output) => new()
    {
        Id = id,
        Task = priority == PriorityClass.High ? "chat" : "nightly",
        Priority = priority,
        Arrival = _epoch + TimeSpan.FromSeconds(at),
        Deadline = _epoch + TimeSpan.FromSeconds(at) + TimeSpan.FromHours(1),
        TaskIndex = priority == PriorityClass.High ? 0 : 1,
        PromptTokens = 0,
        OutputTokens = output,
    };

    private static double Seconds(DateTimeOffset? at) => (at!.Value - _epoch).TotalSeconds;

    [Fact]
    public void HighRequest_OnASlotHeldByBatch_StartsAtOnce_TheBatchSequencePausesAndEndsLater()
    {
        // Batch: 1,000 tokens from 0 (10 s alone). Chat: 100 tokens at 2 s. With preemption chat runs from 2 to 3 s and the
        // batch sequence, paused with 800 tokens left, ends at 11 s; without, chat waits for it: 10 to 11 s.
        var with = Run(true, 1, (0, PriorityClass.Batch, 1000), (2, PriorityClass.High, 100));
        var without = Run(false, 1, (0, PriorityClass.Batch, 1000), (2, PriorityClass.High, 100));

        Assert.Equal((2.0, 3.0), (Seconds(with[2].Start), Seconds(with[2].End)));
        Assert.Equal(11.0, Seconds(with[1].End), 6);
        Assert.Equal((10.0, 11.0), (Seconds(without[2].Start), Seconds(without[2].End)));
        Assert.All(with.Values.Concat(without.Values), r => Assert.Equal(SimOutcome.Completed, r.Outcome));
    }

    [Fact]
    public void SlotsFullOfHighRequests_AnotherHighWaits_NoHighIsPaused()
    {
        // Two slots, both held by chat at 0 (100 tokens, 1 s); a third chat at 0.5 is as urgent as what runs: it waits for a slot.
        var ended = Run(true, 2, (0, PriorityClass.High, 100), (0, PriorityClass.High, 100), (0.5, PriorityClass.High, 100));

        Assert.Equal((1.0, 1.0), (Seconds(ended[1].End), Seconds(ended[2].End)));
        Assert.Equal((1.0, 2.0), (Seconds(ended[3].Start), Seconds(ended[3].End)));
    }

    [Fact]
    public void ManyPreemptions_EveryRequestEndsOnce_WithAllItsTokens()
    {
        // A batch stream every 0.3 s and a chat request every 0.7 s on 2 slots for a minute: chat keeps taking batch slots.
        var requests = Enumerable.Range(0, 200).Select(i => (i * 0.3, PriorityClass.Batch, 40 + (i % 7 * 10)))
            .Concat(Enumerable.Range(0, 85).Select(i => (i * 0.7, PriorityClass.High, 20)))
            .OrderBy(r => r.Item1).ToArray();
        var ended = Run(true, 2, requests);

        Assert.Equal(requests.Length, ended.Count);
        Assert.All(ended.Values, r => Assert.Equal(SimOutcome.Completed, r.Outcome));
        // None ends sooner than its tokens take alone (a paused one later): its work was all done, none was skipped.
        Assert.All(ended.Values, r => Assert.True((r.End!.Value - r.Start!.Value).TotalSeconds >= (r.OutputTokens / 100.0) - 1e-6, $"request {r.Id}"));
        Assert.Contains(ended.Values, r => r.Priority == PriorityClass.Batch && (r.End!.Value - r.Start!.Value).TotalSeconds > (r.OutputTokens / 100.0) + 0.1);
        // Chat never waits behind batch: each starts when it comes (at most 2 of them run at once, and they come 0.7 s apart).
        Assert.All(ended.Values.Where(r => r.Priority == PriorityClass.High), r => Assert.Equal(0, (r.Start!.Value - r.Arrival).TotalSeconds, 6));
    }
}
