using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Core.Tests.Placement.GpuSharing;

public sealed class GpuFragmentationTests
{
    // A node with four GPUs: one wholly free, one with 300 thousandths free, one with 600, one full: 1,900 free in all.
    private static readonly int[] _free = [1000, 300, 600, 0];

    private static readonly GpuTask _half = new(4000, 8192, 1, 500);
    private static readonly GpuTask _oneGpu = new(8000, 16384, 1, 1000);

    [Fact]
    public void ForTask_SharedTaskThatRuns_CountsTheGpusBelowItsShare()
    {
        Assert.Equal(300, GpuFragmentation.ForTask(_half, 0, 64000, 262144, _free)); // 300 + 0: the 600 and the 1000 can hold 500
    }

    [Fact]
    public void ForTask_WholeGpuTaskThatRuns_CountsEveryPartlyUsedGpu()
    {
        Assert.Equal(900, GpuFragmentation.ForTask(_oneGpu, 0, 64000, 262144, _free)); // 300 + 600
    }

    [Fact]
    public void ForTask_TaskThatCannotRun_CountsAllFreeGpu()
    {
        Assert.Equal(1900, GpuFragmentation.ForTask(_oneGpu with { GpuCount = 2 }, 0, 64000, 262144, _free)); // one whole GPU only
        Assert.Equal(1900, GpuFragmentation.ForTask(_half, 0, 3999, 262144, _free)); // too little CPU
        Assert.Equal(1900, GpuFragmentation.ForTask(_half, 0, 64000, 8191, _free)); // too little memory
        Assert.Equal(1900, GpuFragmentation.ForTask(_half with { Models = 1UL << 1 }, 0, 64000, 262144, _free)); // another GPU model
        Assert.Equal(1900, GpuFragmentation.ForTask(new GpuTask(1000, 1024, 0, 0), 0, 64000, 262144, _free)); // asks for no GPU
    }

    [Fact]
    public void Expected_WeighsEachTaskTypeByItsPopularity()
    {
        var workload = GpuWorkload.From([_half, _half, _half, _oneGpu]);

        var expected = GpuFragmentation.Expected(workload, 0, 64000, 262144, _free);

        Assert.Equal((0.75 * 300) + (0.25 * 900), expected, 9);
    }

    [Fact]
    public void Expected_NodeWithNoFreeGpu_IsZero()
    {
        var workload = GpuWorkload.From([_half, _oneGpu]);

        Assert.Equal(0, GpuFragmentation.Expected(workload, 0, 64000, 262144, [0, 0]));
    }

    [Fact]
    public void From_CountsEqualTasksAsOneType_MostPopularFirst()
    {
        var workload = GpuWorkload.From([_oneGpu, _half, _half]);

        Assert.Equal([(_half, 2.0 / 3), (_oneGpu, 1.0 / 3)], workload.Types);
    }
}
