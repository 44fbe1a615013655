using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.Statistics;

public sealed class StatisticsCollectorTests
{
    private static RequestRecord Completed(string task = "chat", string? model = "stories", double latencyMs = 100, bool? sloMet = null) =>
        new(task, model, RequestOutcome.Completed, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(latencyMs), 5, 7, sloMet);

    private static RequestRecord Ended(RequestOutcome outcome, string task = "chat", string? model = null, bool? sloMet = null) =>
        new(task, model, outcome, null, null, TimeSpan.FromMilliseconds(1), 0, 0, sloMet);

    [Fact]
    public void Record_MixedOutcomes_CountedByNamePerTaskAndPerServingModel()
    {
        var stats = new StatisticsCollector();
        stats.Record(Completed());
        stats.Record(Completed());
        stats.Record(Ended(RequestOutcome.Refused));
        stats.Record(Ended(RequestOutcome.Failed, model: "stories"));
        stats.Record(Ended(RequestOutcome.Invalid, task: "batch"));

        var snapshot = stats.Snapshot();
        var chat = snapshot.Tasks["chat"];
        Assert.Equal(4, chat.Requests);
        Assert.Equal(
            new Dictionary<string, long> { ["Completed"] = 2, ["Refused"] = 1, ["TimedOut"] = 0, ["Cancelled"] = 0, ["Failed"] = 1, ["Invalid"] = 0 },
            chat.ByOutcome);
        Assert.Equal(1, snapshot.Tasks["batch"].ByOutcome["Invalid"]);
        Assert.Equal(["stories"], snapshot.Models.Keys);
        Assert.Equal(3, snapshot.Models["stories"].Requests.Requests);
    }

    [Fact]
    public void Record_Durations_LatencyOverCompletedOnlyQueueAndFirstTokenWhenPresent()
    {
        var stats = new StatisticsCollector();
        stats.Record(Completed(latencyMs: 100));
        stats.Record(Completed(latencyMs: 300));
        stats.Record(Ended(RequestOutcome.Refused));

        var chat = stats.Snapshot().Tasks["chat"];
        Assert.Equal(new LatencySummary(2, 200, 100, 100, 300, 300, 300), chat.Latency);
        Assert.Equal(2, chat.QueueTime.Count);
        Assert.Equal(20, chat.TimeToFirstToken.P99);
        Assert.Equal((10, 14), (chat.PromptTokens, chat.CompletionTokens));
    }

    [Fact]
    public void Record_SloResults_RefusalsAndTimeoutsCountAsMisses()
    {
        var stats = new StatisticsCollector();
        stats.Record(Completed(sloMet: true));
        stats.Record(Completed(sloMet: true));
        stats.Record(Completed(sloMet: true));
        stats.Record(Completed(sloMet: false));
        stats.Record(Ended(RequestOutcome.TimedOut, sloMet: false) with { Reason = RefusalReasons.DeadlineExceeded });
        stats.Record(Ended(RequestOutcome.Refused, sloMet: false) with { Reason = RefusalReasons.QueueFull });
        stats.Record(Ended(RequestOutcome.Cancelled));
        stats.Record(Completed(task: "batch"));

        var snapshot = stats.Snapshot();
        Assert.Equal((3, 6), (snapshot.Tasks["chat"].SloMet, snapshot.Tasks["chat"].SloCounted));
        Assert.Equal(0.5, snapshot.Tasks["chat"].SloAttainment);
        Assert.Equal(new Dictionary<string, long> { ["deadline_exceeded"] = 1, ["queue_full"] = 1 }, snapshot.Tasks["chat"].Reasons);
        Assert.Null(snapshot.Tasks["batch"].SloAttainment);
    }

    [Fact]
    public void RecordLoadAndEviction_Model_LoadsEvictionsLoadTimeAndLastMemory()
    {
        var stats = new StatisticsCollector();
        stats.RecordLoad("big", TimeSpan.FromSeconds(2), 100);
        stats.RecordLoad("big", TimeSpan.FromSeconds(4), 120);
        stats.RecordEviction("big");

        var big = stats.Snapshot().Models["big"];
        Assert.Equal((2, 1, 120L), (big.Loads, big.Evictions, big.MemoryBytes));
        Assert.Equal(new LatencySummary(2, 3000, 1000, 2000, 4000, 4000, 4000), big.LoadTime);
        Assert.Equal(0, big.Requests.Requests);
        Assert.Null(stats.Snapshot().Models.GetValueOrDefault("other"));
    }

    [Fact]
    public void Record_ParallelFromManyThreads_CountsExact()
    {
        var stats = new StatisticsCollector(reservoirCapacity: 1000);
        const int PerTask = 25_000;
        string[] tasks = ["a", "b", "c", "d"];
        Parallel.For(0, PerTask * tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            stats.Record(Completed(task: tasks[i % tasks.Length], latencyMs: i % 50, sloMet: i % 8 != 0));
            if (i % 100 == 0)
            {
                stats.RecordLoad("stories", TimeSpan.FromMilliseconds(i % 7), i);
                stats.RecordEviction("stories");
            }

            if (i % 2000 == 0)
            {
                _ = stats.Snapshot();
            }
        });

        var snapshot = stats.Snapshot();
        Assert.All(tasks, t => Assert.Equal(PerTask, snapshot.Tasks[t].ByOutcome["Completed"]));
        Assert.All(tasks, t => Assert.Equal(PerTask, snapshot.Tasks[t].Latency.Count));
        Assert.All(tasks, t => Assert.Equal(5L * PerTask, snapshot.Tasks[t].PromptTokens));
        var model = snapshot.Models["stories"];
        Assert.Equal(PerTask * tasks.Length, model.Requests.Requests);
        Assert.Equal(PerTask * tasks.Length / 8, model.Requests.SloCounted - model.Requests.SloMet);
        Assert.Equal((PerTask * tasks.Length / 100, PerTask * tasks.Length / 100), (model.Loads, model.Evictions));
    }

    [Fact]
    public void Record_BeyondReservoir_CountsAllPercentilesOfRecent()
    {
        var stats = new StatisticsCollector(reservoirCapacity: 100);
        for (var i = 1; i <= 1000; i++)
        {
            stats.Record(Completed(latencyMs: i));
        }

        var latency = stats.Snapshot().Tasks["chat"].Latency;
        Assert.Equal(1000, latency.Count);
        Assert.Equal(500.5, latency.Mean, 9);
        Assert.Equal((950, 995, 999, 1000), (latency.P50, latency.P95, latency.P99, latency.Max));
    }

    [Fact]
    public void Snapshot_LaterRecords_DoNotChangeIt()
    {
        var stats = new StatisticsCollector();
        stats.Record(Completed(latencyMs: 10));
        var before = stats.Snapshot();
        stats.Record(Completed(latencyMs: 1000));
        stats.RecordLoad("stories", TimeSpan.FromSeconds(1), 1);

        Assert.Equal(1, before.Tasks["chat"].Requests);
        Assert.Equal(10, before.Tasks["chat"].Latency.Max);
        Assert.Equal(0, before.Models["stories"].Loads);
        Assert.Equal(2, stats.Snapshot().Tasks["chat"].Requests);
    }

    [Fact]
    public void Record_NegativeLatency_ThrowsAndCountsNothing()
    {
        var stats = new StatisticsCollector();
        Assert.Throws<ArgumentOutOfRangeException>(() => stats.Record(Completed(latencyMs: -1)));
        Assert.Empty(stats.Snapshot().Tasks);
    }
}
