using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Core.Tests.Placement.GpuSharing;

public sealed class GpuPlacementPoliciesTests
{
    private static readonly GpuTask _half = new(4000, 8192, 1, 500);
    private static readonly GpuTask _oneGpu = new(4000, 8192, 1, 1000);

    // Three shared tasks for one whole-GPU task: the workload FGD measures fragmentation against.
    private static readonly GpuWorkload _workload = GpuWorkload.From([_half, _half, _half, _oneGpu]);

    // Node 0: one GPU, wholly free. Node 1: two GPUs, one wholly free and one with 600 thousandths left.
    private static GpuCluster TwoNodes()
    {
        var cluster = new GpuCluster([new GpuNodeSpec(32000, 131072, 1), new GpuNodeSpec(32000, 131072, 2)]);
        cluster.Place(new GpuTask(0, 0, 1, 400), new GpuPlacement(1, 0b10));
        return cluster;
    }

    [Theory]
    [InlineData(GpuPlacementPolicies.Fgd)]
    [InlineData(GpuPlacementPolicies.FgdExact)]
    public void Fgd_SharedTask_GoesWhereItLeavesAWholeGpuFree(string name)
    {
        var cluster = TwoNodes();

        // Node 0 would go from 0 to 0.25 × 500 (the whole-GPU task no longer runs there): +125, scored ⌊100·σ(−0.125)⌋ = 46.
        // Node 1's GPU 1 would go from 0.25 × 600 to 0.75 × 100 + 0.25 × 100: −50, scored ⌊100·σ(0.05)⌋ = 51. FGD descends.
        var placement = Create(name).Choose(_half, cluster);

        Assert.Equal(new GpuPlacement(1, 0b10), placement);
    }

    [Fact]
    public void BestFit_SharedTask_GoesToTheNodeLeftTightest()
    {
        var cluster = TwoNodes();

        var placement = Create(GpuPlacementPolicies.BestFit).Choose(_half, cluster);

        Assert.Equal(new GpuPlacement(0, 0b1), placement); // 500 free left on node 0 against 1,100 on node 1
    }

    [Theory]
    [InlineData(GpuPlacementPolicies.Fgd, 0)]
    [InlineData(GpuPlacementPolicies.FgdExact, 0)]
    [InlineData(GpuPlacementPolicies.BestFit, 1)]
    public void Choose_ShareThenTwoWholeGpuTasks_FgdPlacesAllBestFitStrandsOne(string name, int unplaced)
    {
        var cluster = TwoNodes();
        var policy = Create(name);
        var failed = 0;

        foreach (var task in new[] { _half, _oneGpu, _oneGpu })
        {
            var placement = policy.Choose(task, cluster);
            if (placement.IsPlaced)
            {
                cluster.Place(task, placement);
            }
            else
            {
                failed++;
            }
        }

        Assert.Equal(unplaced, failed);
    }

    [Fact]
    public void Fgd_EquallyScoredNodes_SeededRandomChoiceAmongThem()
    {
        var chosen = new HashSet<int>();
        for (var seed = 0; seed < 20; seed++)
        {
            var cluster = new GpuCluster(Enumerable.Repeat(new GpuNodeSpec(32000, 131072, 2), 8).ToList());
            var first = Create(GpuPlacementPolicies.Fgd, seed).Choose(_half, cluster);
            Assert.Equal(first, Create(GpuPlacementPolicies.Fgd, seed).Choose(_half, cluster));
            chosen.Add(first.Node);
        }

        Assert.True(chosen.Count > 1, "eight empty equal nodes score the same; the seed picks among them");
        var exact = Create(GpuPlacementPolicies.FgdExact).Choose(_half, new GpuCluster(Enumerable.Repeat(new GpuNodeSpec(32000, 131072, 2), 8).ToList()));
        Assert.Equal(new GpuPlacement(0, 0b1), exact); // exact: the lowest node and GPU
    }

    [Fact]
    public void Choose_TaskFitsNowhere_IsNone()
    {
        var cluster = TwoNodes();
        foreach (var name in GpuPlacementPolicies.Names)
        {
            Assert.Equal(GpuPlacement.None, Create(name).Choose(_oneGpu with { GpuCount = 2 }, cluster)); // node 1 has one whole GPU left
        }
    }

    [Fact]
    public void Choose_GpuModelConstraint_OnlyNodesOfThatModel()
    {
        var cluster = new GpuCluster([new GpuNodeSpec(32000, 131072, 2, Model: 0), new GpuNodeSpec(32000, 131072, 2, Model: 1)]);
        foreach (var name in GpuPlacementPolicies.Names)
        {
            Assert.Equal(1, Create(name).Choose(_half with { Models = 1UL << 1 }, cluster).Node);
        }
    }

    [Fact]
    public void FirstFit_TakesTheFirstNodeAndGpuWithRoom()
    {
        var cluster = TwoNodes();
        cluster.Place(new GpuTask(0, 0, 1, 800), new GpuPlacement(0, 0b1));

        Assert.Equal(new GpuPlacement(1, 0b1), Create(GpuPlacementPolicies.FirstFit).Choose(_half, cluster));
    }

    [Fact]
    public void Random_SameSeed_SameChoices()
    {
        var a = new GpuCluster(Enumerable.Repeat(new GpuNodeSpec(32000, 131072, 8), 50).ToList());
        var b = new GpuCluster(Enumerable.Repeat(new GpuNodeSpec(32000, 131072, 8), 50).ToList());
        var first = Create(GpuPlacementPolicies.Random, seed: 7);
        var second = Create(GpuPlacementPolicies.Random, seed: 7);
        for (var i = 0; i < 40; i++)
        {
            var p = first.Choose(_half, a);
            Assert.Equal(p, second.Choose(_half, b));
            a.Place(_half, p);
            b.Place(_half, p);
        }
    }

    [Fact]
    public void Create_UnknownName_IsNull()
    {
        Assert.Null(GpuPlacementPolicies.Create("worst-fit", _workload, 1));
        Assert.Equal(["fgd", "fgd-exact", "best-fit", "first-fit", "dot-product", "random"], GpuPlacementPolicies.Names);
    }

    [Fact]
    public void Place_TaskThatDoesNotFit_Throws()
    {
        var cluster = TwoNodes();

        Assert.Throws<ArgumentException>(() => cluster.Place(_half, new GpuPlacement(1, 0b10 | 0b01)));
        Assert.Throws<ArgumentException>(() => cluster.Place(_oneGpu, new GpuPlacement(1, 0b10)));
    }

    private static IGpuPlacementPolicy Create(string name, int seed = 1) => GpuPlacementPolicies.Create(name, _workload, seed)!;
}
