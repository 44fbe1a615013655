using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>
/// Serving takes memory back from serving, simulated as the server does it: a model busy with less urgent requests is drained
/// (no new ones; unloaded when they end) for a more urgent request that needs its memory, and the model loaded for it keeps
/// its turn against a less urgent load.
/// </summary>
public sealed class ServingSimulationDrainTests
{
    private static readonly DateTimeOffset _epoch = DateTimeOffset.UnixEpoch;

    [Fact]
    public void HighRequestForAModelThatDoesNotFit_TheBatchModelDrains_TheBatchRequestsWaitForItsTurn()
    {
        // `bulk` (model a, batch) and `chat` (model b, high) on 1 GiB that holds one of them; a load takes 1 s, a token 10 ms.
        // a serves a 10 s batch request from 1 s; another waits behind it. A chat request at 3 s: a is drained, so the
        // waiting batch request does not start on it at 11 s; b loads from 11 s, serves chat 12-13 s, and keeps its turn
        // (its load time / 10%: 10 s from 12 s) before a may take the memory back for the batch request.
        TaskDefinition[] tasks =
        [
            new() { Name = "chat", Priority = PriorityClass.High, Latency = TimeSpan.FromHours(1), Models = ["b"] },
            new() { Name = "bulk", Priority = PriorityClass.Batch, Latency = TimeSpan.FromHours(1), Models = ["a"] },
        ];
        var speed = new ModelSpeed(1000, 100, TimeSpan.FromSeconds(1));
        var a = new ModelDefinition { Name = "a", Path = "a.gguf", Memory = 1L << 30, Slots = 1, ReplicasMax = 1, KeepAlive = TimeSpan.FromMinutes(5) };
        var b = a with { Name = "b", Path = "b.gguf" };
        var setup = new SimSetup(tasks, [(a, speed), (b, speed)], new DeviceSettings { CpuMemory = 1L << 30 }, new SchedulerSettings(), _ => -1, "");
        var simulation = new ServingSimulation(setup, new SimPolicies("default", "fair", "lru", "least-outstanding", Admission: true), () => TimeSpan.FromSeconds(1), _ => EvictionPolicies.Create("lru")!) { Verify = true };
        var ended = new Dictionary<long, SimRequest>();
        SimRequest[] requests = [Request(1, 0, "bulk", 1000), Request(2, 0.5, "bulk", 1000), Request(3, 3, "chat", 100)];
        simulation.Run(requests, _epoch, r => ended.Add(r.Id, r));

        Assert.All(ended.Values, r => Assert.Equal(SimOutcome.Completed, r.Outcome));
        Assert.Equal(11.0, Seconds(ended[1].End), 6); // the drained replica's request ends as it would have
        Assert.Equal((12.0, 13.0), (Seconds(ended[3].Start), Seconds(ended[3].End)));
        Assert.True(Seconds(ended[2].Start) >= 22 + 1, $"the second batch request started at {Seconds(ended[2].Start)} s, within b's turn");
    }

    private static SimRequest Request(long id, double at, string task, int output) => new()
    {
        Id = id,
        Task = task,
        Priority = task == "chat" ? PriorityClass.High : PriorityClass.Batch,
        Arrival = _epoch + TimeSpan.FromSeconds(at),
        Deadline = _epoch + TimeSpan.FromSeconds(at) + TimeSpan.FromHours(1),
        TaskIndex = task == "chat" ? 0 : 1,
        PromptTokens = 0,
        OutputTokens = output,
    };

    private static double Seconds(DateTimeOffset? at) => (at!.Value - _epoch).TotalSeconds;
}
