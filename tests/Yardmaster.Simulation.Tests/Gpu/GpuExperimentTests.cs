using Yardmaster.Core.Placement.GpuSharing;
using Yardmaster.Simulation.Gpu;

namespace Yardmaster.Simulation.Tests.Gpu;

public sealed class GpuExperimentTests
{
    private static readonly GpuTask _half = new(1000, 1024, 1, 500);
    private static readonly GpuTask _whole = new(1000, 1024, 1, 1000);

    [Fact]
    public void Run_ArrivalsToTwiceTheCapacity_AllocatedNeverAboveCapacityAndFailuresFillTheRest()
    {
        var nodes = Enumerable.Repeat(new GpuNodeSpec(64000, 262144, 4), 3).ToList();
        GpuTask[] pool = [_half, _whole];
        var setup = new GpuExperimentSetup(nodes, pool, GpuWorkload.From(pool), [GpuPlacementPolicies.Fgd, GpuPlacementPolicies.BestFit], 4, 11, 200);

        var results = GpuExperiment.Run(setup, TestContext.Current.CancellationToken);

        foreach (var result in results)
        {
            Assert.Equal(201, result.Points.Count);
            Assert.All(result.Points, p => Assert.InRange(p.Allocated, 0, 100));
            var end = result.Points[200];
            Assert.Equal(100, end.Allocated + end.Unallocated, 9);
            Assert.InRange(end.Allocated + end.FailedGpu, 200, 202); // each arrival either placed or failed; the last may pass 200%
            Assert.Equal(0, result.Points[50].UnplacedPods); // half full: everything fits
        }
    }

    [Fact]
    public void Run_SameSeed_SameCurves_OtherSeedOther()
    {
        var nodes = Enumerable.Repeat(new GpuNodeSpec(16000, 65536, 2), 6).ToList();
        GpuTask[] pool = [_half, _whole, new(12000, 1024, 1, 300), new(2000, 1024, 0, 0)];
        GpuExperimentSetup Setup(int seed) => new(nodes, pool, GpuWorkload.From(pool), [GpuPlacementPolicies.Fgd, GpuPlacementPolicies.Random], 3, seed, 120);

        var a = GpuExperiment.Run(Setup(1), TestContext.Current.CancellationToken);
        var b = GpuExperiment.Run(Setup(1), TestContext.Current.CancellationToken);
        var c = GpuExperiment.Run(Setup(2), TestContext.Current.CancellationToken);

        Assert.Equal(a.SelectMany(r => r.Points), b.SelectMany(r => r.Points));
        Assert.NotEqual(a.SelectMany(r => r.Points), c.SelectMany(r => r.Points));
    }
}
