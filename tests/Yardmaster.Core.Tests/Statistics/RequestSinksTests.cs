using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.Statistics;

public sealed class RequestSinksTests
{
    [Fact]
    public void Record_TwoSinks_EachTakesEveryRecordInOrder()
    {
        var first = new StatisticsCollector();
        var seen = new List<string>();
        var sinks = new RequestSinks(first, new Recording(seen));
        sinks.Record(new RequestRecord("chat", "tiny", RequestOutcome.Completed, TimeSpan.Zero, null, TimeSpan.FromMilliseconds(5), 3, 2, null) { RequestId = "a" });
        sinks.Record(new RequestRecord("chat", null, RequestOutcome.Refused, null, null, TimeSpan.Zero, 0, 0, false) { RequestId = "b", Reason = RefusalReasons.QueueFull });

        Assert.Equal(["a", "b"], seen);
        Assert.Equal(2, first.Snapshot().Tasks["chat"].Requests);
    }

    private sealed class Recording(List<string> seen) : IRequestSink
    {
        public void Record(RequestRecord record) => seen.Add(record.RequestId);
    }
}
