using System.Runtime.CompilerServices;
using Yardmaster.Core.Models;
using Yardmaster.Simulation.Serving;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>The serving simulation's memory and its shortcuts: it keeps only what is queued or in flight, and its per-device inputs are the full input's.</summary>
public sealed class ServingSimulationScaleTests
{
    private static readonly SimPolicies _default = new("default", "fair", "gdsf", "least-outstanding", Admission: true);

    private static ServingSimulation New(SyntheticServing workload, bool verify) =>
        new(workload.Setup(), _default, () => TimeSpan.FromSeconds(2), _ => EvictionPolicies.Create("gdsf")!) { Verify = verify };

    [Fact]
    public void Run_20000RequestsOn50Gpus_KeepsNoEndedRequest()
    {
        const int Requests = 20_000;
        var workload = new SyntheticServing(Gpus: 50, Models: 50);
        var simulation = New(workload, verify: false);
        var ended = new List<WeakReference>(Requests);
        var outcomes = new int[Enum.GetValues<SimOutcome>().Length];
        var alive = new List<int>();
        var heldBeyond = new List<int>();
        var queued = new List<int>();
        simulation.Run(workload.Requests(Requests, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch, r =>
        {
            outcomes[(int)r.Outcome]++;
            ended.Add(new WeakReference(r));
            if (ended.Count % 2_000 == 0)
            {
                // What the engine holds beyond its queues and replicas: the next arrival read, and the newcomer whose admission shed this one.
                heldBeyond.Add(simulation.Held - simulation.Queued - simulation.InFlight);
                alive.Add(CountAlive(ended));
                queued.Add(simulation.Queued);
            }
        });

        Assert.Equal(Requests, outcomes.Sum());
        Assert.Equal(0, outcomes[(int)SimOutcome.Pending]);
        Assert.True(outcomes[(int)SimOutcome.Completed] > Requests / 2, $"completed {outcomes[(int)SimOutcome.Completed]}");
        Assert.Equal(0, simulation.Held);
        Assert.All(heldBeyond, h => Assert.InRange(h, 0, 2));

        // Ended requests still reachable: the one being reported, and the few a queue's heap drops lazily (bounded by its
        // length, not by the requests it has served). Were the engine to keep what ended, this would grow by 2,000 a row.
        Assert.Equal(Requests / 2_000, alive.Count);
        Assert.True(alive.All(a => a <= 500), $"alive {string.Join(", ", alive)}; queued {string.Join(", ", queued)}");
    }

    [Fact]
    public void Run_Verified_PerDeviceInputsEqualTheFullInputAndTheCountsAScan()
    {
        // 8 GPUs for 40 models of 4 to 32 GiB: most loads evict.
        const int Requests = 3_000;
        var workload = new SyntheticServing(Gpus: 8, Models: 40, RatePerGpu: 4);
        var simulation = New(workload, verify: true);
        var completed = 0;
        var count = 0;
        simulation.Run(workload.Requests(Requests, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch, r =>
        {
            count++;
            completed += r.Outcome == SimOutcome.Completed ? 1 : 0;
        });

        Assert.Equal(Requests, count);
        Assert.True(completed > 0);
        Assert.True(simulation.Models.Sum(m => m.Loads) > 40, $"loads {simulation.Models.Sum(m => m.Loads)}: the run should evict and reload");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CountAlive(List<WeakReference> references)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return references.Count(w => w.IsAlive);
    }
}
