using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.Tests.History;

public sealed class HistoryWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private static RequestRecord Request(string task, RequestOutcome outcome, double latencyMs, string? reason = null, bool? slo = null) =>
        new(task, outcome == RequestOutcome.Completed ? "tiny" : null, outcome, outcome == RequestOutcome.Completed ? TimeSpan.FromMilliseconds(5) : null, null, TimeSpan.FromMilliseconds(latencyMs), 10, outcome == RequestOutcome.Completed ? 4 : 0, slo)
        {
            Reason = reason,
        };

    [Fact]
    public void Statistics_RowsOfSeveralMinutes_SameCountsAsTheLiveCollector()
    {
        RequestRecord[] requests =
        [
            Request("chat", RequestOutcome.Completed, 120, slo: true),
            Request("chat", RequestOutcome.Completed, 900, slo: false),
            Request("chat", RequestOutcome.Refused, 1, RefusalReasons.QueueFull, slo: false),
            Request("chat", RequestOutcome.TimedOut, 10_000, RefusalReasons.DeadlineExceeded, slo: false),
            Request("batch", RequestOutcome.Completed, 50),
        ];
        var live = new StatisticsCollector();
        var rows = new Dictionary<RollupKey, RollupTotals>();
        for (var i = 0; i < requests.Length; i++)
        {
            live.Record(requests[i]);
            var key = RollupKey.Of(requests[i], T0.AddMinutes(i));
            rows.TryAdd(key, new RollupTotals());
            rows[key].Add(requests[i]);
        }

        var window = HistoryWindow.Statistics(rows.Select(r => new RollupRow(r.Key, r.Value)), []);
        var expected = live.Snapshot();
        foreach (var task in new[] { "chat", "batch" })
        {
            var (w, l) = (window.Tasks[task], expected.Tasks[task]);
            Assert.Equal(l.Requests, w.Requests);
            Assert.Equal(l.ByOutcome, w.ByOutcome);
            Assert.Equal((l.SloMet, l.SloCounted), (w.SloMet, w.SloCounted));
            Assert.Equal(l.Reasons, w.Reasons);
            Assert.Equal((l.PromptTokens, l.CompletionTokens), (w.PromptTokens, w.CompletionTokens));
            Assert.Equal(l.Latency.Count, w.Latency.Count);
            Assert.Equal(l.Latency.Mean, w.Latency.Mean, 9);
            Assert.Equal(l.Latency.Max, w.Latency.Max);
        }

        Assert.Equal(0.25, window.Tasks["chat"].SloAttainment);
        Assert.Equal(3, window.Models["tiny"].Requests.Requests);
    }

    [Fact]
    public void Statistics_Events_LoadsEvictionsLoadTimeAndLastMemory()
    {
        ModelEventRecord[] events =
        [
            new(T0, "loaded", "tiny", 0, "cpu", null, null, 1.5, 100),
            new(T0.AddMinutes(1), "unloaded", "tiny", 0, "cpu", "evicted", "evicted for big", null, 100),
            new(T0.AddMinutes(2), "loaded", "tiny", 0, "cpu", null, null, 2.5, 120),
            new(T0.AddMinutes(3), "unloaded", "tiny", 0, "cpu", "idle", "idle for 300 s", null, 120),
        ];

        var tiny = HistoryWindow.Statistics([], events).Models["tiny"];

        Assert.Equal((2, 1, 120L), (tiny.Loads, tiny.Evictions, tiny.MemoryBytes));
        Assert.Equal(2000, tiny.LoadTime.Mean);
        Assert.Equal(0, tiny.Requests.Requests);
    }

    [Fact]
    public void Series_FiveMinuteSteps_GroupsMinutesIntoTheirStep()
    {
        var rows = new List<RollupRow>();
        foreach (var minute in new[] { 0, 1, 4, 5, 12 })
        {
            var totals = new RollupTotals();
            totals.Add(Request("chat", RequestOutcome.Completed, 100));
            rows.Add(new RollupRow(RollupKey.Of(Request("chat", RequestOutcome.Completed, 100), T0.AddMinutes(minute).AddSeconds(30)), totals));
        }

        var series = HistoryWindow.Series(rows, TimeSpan.FromMinutes(5), k => k.Task)["chat"];

        Assert.Equal([T0, T0.AddMinutes(5), T0.AddMinutes(10)], series.Select(p => p.Start));
        Assert.Equal([3L, 1, 1], series.Select(p => p.Statistics.Requests));
    }

    [Theory]
    [InlineData("1h", null, -60, 0)]
    [InlineData("7d", "1d", -7 * 24 * 60, -24 * 60)]
    [InlineData("2026-12-05T09:00:00Z", "2026-12-05T09:30:00Z", -60, -30)]
    public void TimeWindow_DurationsAndInstants_FromNow(string since, string? until, int sinceMinutes, int untilMinutes)
    {
        var window = TimeWindow.Parse(since, until, T0, out var error);
        Assert.Null(error);
        Assert.Equal(new TimeWindow(T0.AddMinutes(sinceMinutes), T0.AddMinutes(untilMinutes)), window);
    }

    [Theory]
    [InlineData("soon", null, "'since' must be a duration")]
    [InlineData("1h", "tomorrow", "'until' must be a duration")]
    [InlineData("1h", "2h", "must be after 'since'")]
    public void TimeWindow_Unusable_NullNamingTheParameter(string since, string? until, string expected)
    {
        Assert.Null(TimeWindow.Parse(since, until, T0, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
