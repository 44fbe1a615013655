using System.Globalization;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Serving;

public sealed class GoodputBoundTests
{
    [Fact]
    public void Requests_RoomForAll_EveryRequestThatMeetsItsDeadlineAlone()
    {
        (double, double, double)[] requests = [(0, 10, 4), (10, 20, 4), (20, 30, 4), (30, 31, 2)];
        Assert.Equal(3, GoodputBound.Requests(requests, slots: 1), 9);
    }

    [Fact]
    public void Requests_MoreWorkThanSlotTime_ShortestFirstAndNeverBelowARealSchedule()
    {
        // One slot, 10 s: the three short ones fit (a real schedule serves them), the long one only a ninth.
        (double, double, double)[] requests = [(0, 10, 9), (0, 10, 3), (0, 10, 3), (0, 10, 3)];
        Assert.Equal(3 + (1.0 / 9), GoodputBound.Requests(requests, slots: 1), 9);
    }

    [Theory]
    [InlineData(1, 2.5)] // 10 s of slot time for three 4-s requests: a real schedule serves 2
    [InlineData(2, 3)]
    public void Requests_EqualRequests_SlotTimeOverService(int slots, double expected)
    {
        (double, double, double)[] requests = [(0, 10, 4), (0, 10, 4), (0, 10, 4)];
        Assert.Equal(expected, GoodputBound.Requests(requests, slots), 9);
    }

    [Fact]
    public void Requests_LaterArrivals_CannotUseTimeBeforeThey()
    {
        // Idle slot time before the burst at 100 s does not help it: 10 s of room for three 4-s requests.
        (double, double, double)[] requests = [(100, 110, 4), (100, 110, 4), (100, 110, 4)];
        Assert.Equal(2.5, GoodputBound.Requests(requests, slots: 1), 9);
    }

    [Fact]
    public void Requests_Ranked_EarlierRankServedFirstEvenWhenLonger()
    {
        // One slot, 10 s: by count the three 3-s requests win; keeping ranks, the 9-s request of rank 0 goes first.
        (double, double, double, int)[] requests = [(0, 10, 9, 0), (0, 10, 3, 1), (0, 10, 3, 1), (0, 10, 3, 1)];
        Assert.Equal(1 + (1.0 / 3), GoodputBound.Requests(requests, slots: 1), 9);
    }

    [Fact]
    public void LlmExperiment_Overloaded_NoPolicyAboveTheMostGoodput()
    {
        var trace = Enumerable.Range(0, 3000).Select(i => new TraceRequest(i + 2, TimeSpan.FromMilliseconds(50 * i), 400, 100 + (i * 37 % 300))).ToList();
        var options = new SimulateOptions("trace.csv", TraceFormat.AzureLlm, null, null, new Dictionary<string, string> { ["queue"] = "fair-sjf" }, 1.5, 1, "unused", false);
        var runs = LlmExperiment.Run(trace, options).Runs;
        var bound = runs.Single(r => r.Label == "bound at 1.5×");
        var most = double.Parse(bound.Parameters.Single(p => p.Key == "most goodput").Value.TrimEnd('/', 's'), CultureInfo.InvariantCulture);
        var byClass = double.Parse(bound.Parameters.Single(p => p.Key == "most goodput by class").Value.TrimEnd('/', 's'), CultureInfo.InvariantCulture);
        Assert.True(most < bound.All.Goodput, $"overloaded: the most goodput {most}/s is below serving everything at once ({bound.All.Goodput}/s)");
        Assert.True(byClass <= most, $"keeping classes {byClass}/s, at most {most}/s");
        foreach (var run in runs.Where(r => r != bound))
        {
            Assert.True(run.All.Goodput <= most + 0.001, $"{run.Label}: {run.All.Goodput}/s above the bound {most}/s");
        }
    }
}
