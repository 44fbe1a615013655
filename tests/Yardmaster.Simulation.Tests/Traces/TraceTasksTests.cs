using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Traces;

public sealed class TraceTasksTests
{
    [Fact]
    public void For_TaskOrClassNamed_TakesItElseTheSplit()
    {
        Assert.Equal("nightly", TraceTasks.For(new TraceRequest(1, TimeSpan.Zero, 1, 1, Task: "nightly", Priority: "high"), 0));
        Assert.Equal(["chat", "chat", "search", "batch", "batch"], new[] { "critical", "high", "normal", "low", "batch" }.Select(c => TraceTasks.For(new TraceRequest(1, TimeSpan.Zero, 1, 1, Priority: c), 0)));
    }

    [Fact]
    public void For_UnnamedRequests_SplitTwentyThirtyFiftyDeterministically()
    {
        var request = new TraceRequest(1, TimeSpan.Zero, 1, 1);
        var tasks = Enumerable.Range(0, 100_000).Select(i => TraceTasks.For(request, i)).ToList();

        var shares = tasks.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count() / 1000.0);
        Assert.Equal(20, shares["chat"], 0.5);
        Assert.Equal(30, shares["search"], 0.5);
        Assert.Equal(50, shares["batch"], 0.5);
        Assert.Equal(tasks.Take(50), Enumerable.Range(0, 50).Select(i => TraceTasks.For(request, i)));
    }
}
