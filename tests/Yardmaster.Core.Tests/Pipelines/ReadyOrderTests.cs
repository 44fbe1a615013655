using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Tests.Pipelines;

/// <summary>The order ready steps are offered to placement in, live and simulated.</summary>
public sealed class ReadyOrderTests
{
    [Fact]
    public void Sorts_ByClass_ThenLongestRemainingPath_ThenRun_ThenPlaceInTheFile()
    {
        var batchShortPath = new ReadyOrder(PriorityClass.Batch, 3, 0, 0);
        var batchLongPath = new ReadyOrder(PriorityClass.Batch, 9, 1, 5);
        var highShortPath = new ReadyOrder(PriorityClass.High, 1, 2, 7);
        var batchLongPathEarlierRun = new ReadyOrder(PriorityClass.Batch, 9, 0, 8);
        var batchLongPathEarlierStep = new ReadyOrder(PriorityClass.Batch, 9, 1, 2);

        List<ReadyOrder> order = [batchShortPath, batchLongPath, highShortPath, batchLongPathEarlierRun, batchLongPathEarlierStep];
        order.Sort();

        Assert.Equal([highShortPath, batchLongPathEarlierRun, batchLongPathEarlierStep, batchLongPath, batchShortPath], order);
        Assert.True(highShortPath < batchShortPath);
        Assert.True(batchLongPath >= batchLongPathEarlierStep);
        Assert.Equal(0, batchLongPath.CompareTo(batchLongPath with { }));
    }
}
