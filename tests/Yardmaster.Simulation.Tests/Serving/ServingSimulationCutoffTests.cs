using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>
/// A request still running at its deadline is stopped there, as the gateway stops answering it (504), and its slot goes
/// to the next request at once: with one rate and with rates by concurrency.
/// </summary>
public sealed class ServingSimulationCutoffTests
{
    private static readonly DateTimeOffset _epoch = DateTimeOffset.UnixEpoch;

    public static TheoryData<string> Speeds => ["scalar", "table"];

    private static ModelSpeed Speed(string kind) => kind == "scalar"
        ? new ModelSpeed(1000, 100, TimeSpan.FromSeconds(1))
        : new ModelSpeed([new ConcurrencySpeedSettings(1, 1000, 100), new ConcurrencySpeedSettings(2, 500, 50)], TimeSpan.FromSeconds(1));

    /// <summary>One warm replica of one slot, a FIFO queue, no admission control.</summary>
    private static Dictionary<long, SimRequest> Run(ModelSpeed speed, params (double At, int Output, double Deadline)[] requests)
    {
        var task = new TaskDefinition { Name = "t", Priority = PriorityClass.Normal, Latency = TimeSpan.FromHours(1), Models = ["m"] };
        var model = new ModelDefinition { Name = "m", Path = "m.gguf", Memory = 1L << 30, Slots = 1, ReplicasMin = 1, ReplicasMax = 1, KeepAlive = null };
        var setup = new SimSetup([task], [(model, speed)], new DeviceSettings { CpuMemory = 1L << 30 }, new SchedulerSettings(), _ => -1, "");
        var simulation = new ServingSimulation(setup, new SimPolicies("fcfs", "fcfs", "lru", "least-outstanding", Admission: false), () => TimeSpan.FromSeconds(1), _ => EvictionPolicies.Create("lru")!) { Verify = true };
        var ended = new Dictionary<long, SimRequest>();
        simulation.Run(
            requests.Select((r, i) => new SimRequest
            {
                Id = i + 1,
                Task = "t",
                Priority = PriorityClass.Normal,
                Arrival = _epoch + TimeSpan.FromSeconds(r.At),
                Deadline = _epoch + TimeSpan.FromSeconds(r.Deadline),
                TaskIndex = 0,
                PromptTokens = 0,
                OutputTokens = r.Output,
            }),
            _epoch,
            r => ended.Add(r.Id, r));
        return ended;
    }

    [Theory]
    [MemberData(nameof(Speeds))]
    public void Run_RequestStillRunningAtItsDeadline_StoppedThereAndTheNextStartsAtOnce(string speed)
    {
        // A needs 2 s (200 tokens at 100/s) and is due at 1 s: stopped at 1.0. B (50 tokens, 0.5 s) waits for the one slot
        // and ends at 1.5, not at 2.5.
        var ended = Run(Speed(speed), (0, 200, 1), (0.1, 50, 10));

        Assert.Equal((SimOutcome.Expired, 1.0), (ended[1].Outcome, (ended[1].End!.Value - _epoch).TotalSeconds));
        Assert.Equal((SimOutcome.Completed, 1.0, 1.5), (ended[2].Outcome, (ended[2].Start!.Value - _epoch).TotalSeconds, (ended[2].End!.Value - _epoch).TotalSeconds));
    }

    [Theory]
    [MemberData(nameof(Speeds))]
    public void Run_RequestEndsBeforeItsDeadline_Completed(string speed)
    {
        var ended = Run(Speed(speed), (0, 100, 1.5));

        Assert.Equal((SimOutcome.Completed, 1.0), (ended[1].Outcome, (ended[1].End!.Value - _epoch).TotalSeconds));
    }
}
