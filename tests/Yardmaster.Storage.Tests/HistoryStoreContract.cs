using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;

namespace Yardmaster.Storage.Tests;

/// <summary>
/// What every <see cref="IHistoryStore"/> adapter must do; each adapter's test class inherits it and says how to open its
/// store and how to reach behind its back (count rows, damage one).
/// </summary>
public abstract class HistoryStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the store under test; every call opens the same backing store again.</summary>
    protected abstract Task<IHistoryStore> OpenAsync(Action<UnreadableRow>? onUnreadableRow);

    /// <summary>How many rows <c>request_rollups</c> holds, counted behind the store's back.</summary>
    protected abstract Task<long> RollupRowsAsync();

    /// <summary>Overwrites the latency histogram of the rollups of <paramref name="minute"/> with text that does not decode.</summary>
    protected abstract Task DamageLatencyAsync(long minute);

    protected static RequestRecord Completed(double latencyMs, string id = "req_1") =>
        new("chat", "tiny", RequestOutcome.Completed, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(latencyMs), 12, 5, true)
        {
            RequestId = id,
            Arrival = T0,
            Priority = Core.PriorityClass.High,
        };

    protected static RollupRow Row(DateTimeOffset at, params RequestRecord[] requests)
    {
        var totals = new RollupTotals();
        foreach (var r in requests)
        {
            totals.Add(r);
        }

        return new RollupRow(RollupKey.Of(requests[0], at), totals);
    }

    protected static HistoryBatch Batch(IReadOnlyList<RollupRow>? rollups = null, IReadOnlyList<RequestLogRecord>? requests = null, IReadOnlyList<ModelEventRecord>? events = null) =>
        new(rollups ?? [], requests ?? [], events ?? [], []);

    [Fact]
    public async Task WriteAsync_SameKeyTwice_MergedIntoOneRow()
    {
        await using var store = await OpenAsync(null);
        await store.WriteAsync(Batch([Row(T0, Completed(100), Completed(200))]), Ct);
        await store.WriteAsync(Batch([Row(T0.AddSeconds(30), Completed(300))]), Ct);

        var row = Assert.Single(await store.ReadRollupsAsync(T0, T0.AddMinutes(1), Ct));
        Assert.Equal((3L, 36L, 15L, 3L, 3L), (row.Totals.Count, row.Totals.TokensIn, row.Totals.TokensOut, row.Totals.SloCounted, row.Totals.SloMet));
        Assert.Equal((3L, 200.0, 300.0), (row.Totals.Latency.Count, row.Totals.Latency.SumMs / 3, row.Totals.Latency.MaxMs));
        Assert.Equal(1L, await RollupRowsAsync());
    }

    [Fact]
    public async Task ReadAsync_Window_OnlyItsMinutesAndTimes()
    {
        await using var store = await OpenAsync(null);
        await store.WriteAsync(
            Batch(
                [Row(T0, Completed(1)), Row(T0.AddMinutes(5), Completed(2)), Row(T0.AddMinutes(10), Completed(3))],
                [RequestLogRecord.Of(Completed(1, "a")), RequestLogRecord.Of(Completed(2, "b") with { Arrival = T0.AddMinutes(5) })],
                [new ModelEventRecord(T0.AddMinutes(5), "loaded", "tiny", 0, "cpu", null, null, 1.25, 1 << 20)]),
            Ct);

        var rows = await store.ReadRollupsAsync(T0.AddMinutes(4), T0.AddMinutes(10), Ct);
        Assert.Equal([T0.AddMinutes(5).ToUnixTimeSeconds()], rows.Select(r => r.Key.Minute));
        var requests = await store.ReadRequestsAsync(T0.AddMinutes(1), T0.AddMinutes(6), Ct).ToListAsync(Ct);
        var b = Assert.Single(requests);
        Assert.Equal(("b", "tiny", "high", 12, 5, 2.0, RequestOutcome.Completed), (b.Id, b.Model, b.Priority, b.PromptTokens, b.OutputTokens, b.LatencyMs, b.Outcome));
        var load = Assert.Single(await store.ReadEventsAsync(T0, T0.AddMinutes(6), Ct));
        Assert.Equal(("loaded", 1.25, 1L << 20), (load.Kind, load.Seconds, load.Bytes));
        Assert.Empty(await store.ReadEventsAsync(T0.AddMinutes(6), T0.AddMinutes(60), Ct));
    }

    [Fact]
    public async Task PruneAsync_PastRetentionAndBeyondMaxRows_OldestGone()
    {
        await using var store = await OpenAsync(null);
        var old = T0.AddDays(-31);
        await store.WriteAsync(
            Batch(
                [Row(old, Completed(1)), Row(T0, Completed(2))],
                [.. Enumerable.Range(0, 10).Select(i => RequestLogRecord.Of(Completed(i, $"r{i}") with { Arrival = T0.AddSeconds(i) }))],
                [new ModelEventRecord(old, "loaded", "tiny", 0, "cpu", null, null, 1, 1)]),
            Ct);

        var deleted = await store.PruneAsync(T0.AddDays(-30), maxRequests: 4, Ct);

        Assert.Equal(1 + 1 + 6, deleted);
        Assert.Single(await store.ReadRollupsAsync(old.AddDays(-1), T0.AddDays(1), Ct));
        Assert.Empty(await store.ReadEventsAsync(old.AddDays(-1), T0.AddDays(1), Ct));
        var kept = await store.ReadRequestsAsync(T0, T0.AddDays(1), Ct).Select(r => r.Id).ToListAsync(Ct);
        Assert.Equal(["r6", "r7", "r8", "r9"], kept);
    }

    [Fact]
    public async Task CompactAsync_OldMinutes_MergedPerHourSameStatisticsFewerRows()
    {
        await using var store = await OpenAsync(null);
        var rows = Enumerable.Range(0, 120).Select(m => Row(T0.AddMinutes(m), Completed(10 + m))).ToList();
        await store.WriteAsync(Batch(rows), Ct);
        var before = HistoryWindow.Statistics(await store.ReadRollupsAsync(T0, T0.AddHours(3), Ct), []).Tasks["chat"];

        var removed = await store.CompactAsync(T0.AddMinutes(90), Ct);
        var again = await store.CompactAsync(T0.AddMinutes(90), Ct);

        Assert.Equal((88L, 0L), (removed, again)); // minutes 1..59 into 10:00, 61..89 into 11:00
        var after = await store.ReadRollupsAsync(T0, T0.AddHours(3), Ct);
        Assert.Equal(2 + 30, after.Count);
        var merged = HistoryWindow.Statistics(after, []).Tasks["chat"];
        Assert.Equal((before.Requests, before.PromptTokens, before.SloMet), (merged.Requests, merged.PromptTokens, merged.SloMet));
        Assert.Equal(before.Latency, merged.Latency);
        Assert.Equal(60, after.Single(r => r.Key.Minute == T0.ToUnixTimeSeconds()).Totals.Count);
    }

    [Fact]
    public async Task ReadRollupsAsync_DamagedHistogram_RowLeftOutAndReported()
    {
        var unreadable = new List<UnreadableRow>();
        await using var store = await OpenAsync(unreadable.Add);
        await store.WriteAsync(Batch([Row(T0, Completed(1)), Row(T0.AddMinutes(1), Completed(2))]), Ct);
        await DamageLatencyAsync(T0.ToUnixTimeSeconds());

        var rows = await store.ReadRollupsAsync(T0, T0.AddMinutes(2), Ct);

        Assert.Equal([T0.AddMinutes(1).ToUnixTimeSeconds()], rows.Select(r => r.Key.Minute));
        var report = Assert.Single(unreadable);
        Assert.Equal("request_rollups", report.Table);
        Assert.Contains("expected 'count;sum;sumsq;max;buckets'", report.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadUsageAsync_SamplesWrittenTwice_LastOfEachKeyOrderedByMinuteNodeResource()
    {
        await using var store = await OpenAsync(null);
        var minute = RollupKey.MinuteOf(T0);
        await store.WriteAsync(new HistoryBatch([], [], [], [new(minute + 60, "local", "cpu", 4000, 1000), new(minute, "local", "memory", 1 << 30, 0), new(minute, "b-node", "cpu", 2000, 500)]), Ct);
        await store.WriteAsync(new HistoryBatch([], [], [], [new(minute, "local", "memory", 1 << 30, 1 << 20)]), Ct);

        var samples = await store.ReadUsageAsync(T0, T0.AddMinutes(2), Ct);

        Assert.Equal(
            [(minute, "b-node", "cpu", 500L), (minute, "local", "memory", 1L << 20), (minute + 60, "local", "cpu", 1000L)],
            samples.Select(s => (s.Minute, s.Node, s.Resource, s.Allocated)));
        Assert.Empty(await store.ReadUsageAsync(T0.AddMinutes(2), T0.AddMinutes(3), Ct));
    }
}
