using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>
/// A token model whose per-sequence rates depend on how many sequences a replica runs at once: the requests on a replica
/// are re-rated whenever one starts or ends, and their finish and first-token times follow.
/// </summary>
public sealed class ServingSimulationConcurrencyTests
{
    private static readonly DateTimeOffset _epoch = DateTimeOffset.UnixEpoch;

    private static ModelSpeed Table(params (int Sequences, double Prefill, double Decode)[] rows) =>
        new([.. rows.Select(r => new ConcurrencySpeedSettings(r.Sequences, r.Prefill, r.Decode))], TimeSpan.FromSeconds(1));

    /// <summary>One warm replica of <paramref name="slots"/> slots, a FIFO queue, no admission control, an hour's deadline: each request served as it comes.</summary>
    private static Dictionary<long, SimRequest> Run(ModelSpeed speed, int slots, params (double At, int Prompt, int Output)[] requests)
    {
        var task = new TaskDefinition { Name = "t", Priority = PriorityClass.Normal, Latency = TimeSpan.FromHours(1), Models = ["m"] };
        var model = new ModelDefinition { Name = "m", Path = "m.gguf", Memory = 1L << 30, Slots = slots, ReplicasMin = 1, ReplicasMax = 1, KeepAlive = null };
        var setup = new SimSetup([task], [(model, speed)], new DeviceSettings { CpuMemory = 1L << 30 }, new SchedulerSettings(), _ => -1, "");
        var simulation = new ServingSimulation(setup, new SimPolicies("fcfs", "fcfs", "lru", "least-outstanding", Admission: false), () => TimeSpan.FromSeconds(1), _ => EvictionPolicies.Create("lru")!) { Verify = true };
        var ended = new Dictionary<long, SimRequest>();
        simulation.Run(requests.Select((r, i) => Request(i + 1, r.At, r.Prompt, r.Output)), _epoch, r => ended.Add(r.Id, r));
        return ended;
    }

    private static SimRequest Request(long id, double at, int prompt, int output) => new()
    {
        Id = id,
        Task = "t",
        Priority = PriorityClass.Normal,
        Arrival = _epoch + TimeSpan.FromSeconds(at),
        Deadline = _epoch + TimeSpan.FromSeconds(at) + TimeSpan.FromHours(1),
        TaskIndex = 0,
        PromptTokens = prompt,
        OutputTokens = output,
    };

    private static double Seconds(DateTimeOffset? at) => (at!.Value - _epoch).TotalSeconds;

    [Fact]
    public void Run_SecondRequestHalvesEachRate_BothFinishTimesExact()
    {
        // Alone 100 tokens/s; two at once 50 each. A (100 tokens) starts at 0; B (100) at 0.5, when A has 50 left:
        // A's 50 at 50/s end at 1.5; B has done 50 by then, and its last 50 alone at 100/s end at 2.0.
        var ended = Run(Table((1, 1000, 100), (2, 500, 50)), 2, (0, 0, 100), (0.5, 0, 100));

        Assert.Equal((1.5, 2.0), (Seconds(ended[1].End), Seconds(ended[2].End)));
        Assert.All(ended.Values, r => Assert.Equal(SimOutcome.Completed, r.Outcome));
    }

    [Fact]
    public void Run_RequestJoinsDuringPrefill_FirstTokenAndFinishMove()
    {
        // A: 1000 prompt and 100 output tokens; alone its first token would be at 1.0 and its end at 2.0. B (25 output
        // tokens) comes at 0.5: both at half rate, A's 500 prompt tokens left would take 1 s, B's 25 tokens 0.5 s (B ends
        // at 1.0). Then A alone: 250 prompt tokens left at 1000/s (first token 1.25), 100 output tokens at 100/s (end 2.25).
        var ended = Run(Table((1, 1000, 100), (2, 500, 50)), 2, (0, 1000, 100), (0.5, 0, 25));

        Assert.Equal((1.25, 2.25), (Seconds(ended[1].FirstToken), Seconds(ended[1].End)));
        Assert.Equal((0.5, 1.0), (Seconds(ended[2].FirstToken), Seconds(ended[2].End)));
    }

    [Fact]
    public void Run_SameRateAtEveryConcurrency_SameTimesAsTheScalarRates()
    {
        (double, int, int)[] requests = [.. Enumerable.Range(0, 40).Select(i => (i * 0.25, 100 + (i * 13 % 200), 20 + (i * 7 % 50)))];
        var scalar = Run(new ModelSpeed(800, 40, TimeSpan.FromSeconds(1)), 4, requests);
        var table = Run(Table((1, 800, 40), (4, 800, 40)), 4, requests);

        Assert.Equal(scalar.Values.Select(r => (r.Id, r.FirstToken, r.End)).Order(), table.Values.Select(r => (r.Id, r.FirstToken, r.End)).Order());
    }

    [Fact]
    public void Run_BusyReplicaWithTable_EveryRequestEndsOnceAndTheSameEachRun()
    {
        // 300 requests, 5 a second, on 4 slots whose per-sequence decode falls from 100 alone to 30 with 4 at once:
        // starts and ends re-rate each other all the time; the verify mode checks the running lists against the counts.
        (double, int, int)[] requests = [.. Enumerable.Range(0, 300).Select(i => (i * 0.2, 50 + (i * 37 % 400), 5 + (i * 11 % 40)))];
        var speed = Table((1, 2000, 100), (2, 1500, 70), (4, 800, 30));
        var first = Run(speed, 4, requests);
        var second = Run(speed, 4, requests);

        Assert.Equal(300, first.Count);
        Assert.All(first.Values, r => Assert.Equal(SimOutcome.Completed, r.Outcome));
        Assert.All(first.Values, r => Assert.InRange(r.FirstToken!.Value, r.Start!.Value, r.End!.Value));
        Assert.Equal(first.Values.Select(r => (r.Id, r.FirstToken, r.End)).Order(), second.Values.Select(r => (r.Id, r.FirstToken, r.End)).Order());

        // Slower than alone: some request took longer than its service time alone.
        Assert.Contains(first.Values, r => r.End!.Value - r.Start!.Value > speed.Service(r.PromptTokens, r.OutputTokens) + TimeSpan.FromMilliseconds(1));
    }

    [Theory]
    [InlineData(1, 100, 1000)]
    [InlineData(2, 80, 900)]
    [InlineData(3, 60, 800)]
    [InlineData(4, 40, 700)]
    [InlineData(8, 40, 700)]
    public void DecodeAt_BetweenAndBeyondRows_InterpolatesThenHoldsTheLast(int sequences, double decode, double prefill)
    {
        var speed = Table((1, 1000, 100), (4, 700, 40));

        Assert.Equal((prefill, decode), (speed.PrefillAt(sequences), speed.DecodeAt(sequences)), new ToleranceComparer());
        Assert.False(speed.Constant);
    }

    [Fact]
    public void DecodeAt_BelowTheFirstRow_HoldsTheFirst()
    {
        var speed = Table((2, 600, 60), (4, 400, 40));

        Assert.Equal((600, 60), (speed.PrefillAt(1), speed.DecodeAt(1)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), speed.Service(300, 60)); // alone: the first row's rates
    }

    private sealed class ToleranceComparer : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) x, (double, double) y) => Math.Abs(x.Item1 - y.Item1) < 1e-9 && Math.Abs(x.Item2 - y.Item2) < 1e-9;

        public int GetHashCode((double, double) obj) => 0;
    }
}
