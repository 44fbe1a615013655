using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.History;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Server.Tests.History;

/// <summary>The history recorder with a real SQLite store: on a data folder that fills up (a small tmpfs) nothing recorded is lost; the request log keeps to its rate.</summary>
public sealed class HistoryRecorderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Flush_DiskFull_KeptVisibleAndWrittenOnceFreed()
    {
        using var disk = SmallTmpfs.Mount(4 << 20);
        var log = new RecordingLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log));
        await using var store = await SqliteHistoryStore.OpenAsync(Path.Combine(disk.Path, "yard.db"), TimeProvider.System, null, Ct);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using var recorder = new HistoryRecorder(store, new HistorySettings { RequestMaxPerSecond = 0 }, _ => [], TimeProvider.System, logging.CreateLogger("history"), TimeSpan.FromMilliseconds(50));
        recorder.Start();
        Record(recorder, 0, 100);
        await WaitUntilAsync(async () => await StoredAsync(store, since) == 100, "the first 100 requests being written");

        disk.Fill();
        Record(recorder, 100, 50);
        await WaitUntilAsync(() => Task.FromResult(log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.StartsWith("History not written (kept, will try again): ", StringComparison.Ordinal))), "a failed write being logged");
        var live = await recorder.StatisticsAsync(since, DateTimeOffset.UtcNow.AddMinutes(1), Ct);
        Assert.Equal(150, live.Tasks["chat"].Requests);
        Assert.Equal(100, await StoredAsync(store, since));

        disk.Free();
        await WaitUntilAsync(async () => await StoredAsync(store, since) == 150, "the kept requests being written once space returned");
        Assert.Equal(150, await store.ReadRequestsAsync(since, DateTimeOffset.UtcNow.AddMinutes(1), Ct).CountAsync(Ct));
        Assert.Equal(150, (await recorder.StatisticsAsync(since, DateTimeOffset.UtcNow.AddMinutes(1), Ct)).Tasks["chat"].Requests);
    }

    [Fact]
    public async Task Record_BurstAboveMaxPerSecond_LogsOneSecondsWorthAndRollsUpAll()
    {
        using var data = new TempDirectory();
        await using var store = await SqliteHistoryStore.OpenAsync(data.File("yard.db"), TimeProvider.System, null, Ct);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using var recorder = new HistoryRecorder(store, new HistorySettings { RequestMaxPerSecond = 40 }, _ => [], TimeProvider.System);

        Record(recorder, 0, 100);
        await recorder.FlushAsync(Ct);

        var logged = await store.ReadRequestsAsync(since, DateTimeOffset.UtcNow.AddMinutes(1), Ct).CountAsync(Ct);
        Assert.InRange(logged, 40, 45); // one second's worth, plus what refilled while recording
        Assert.Equal(100 - logged, recorder.SkippedByRate);
        Assert.Equal(100, await StoredAsync(store, since));
    }

    private static void Record(HistoryRecorder recorder, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            recorder.Record(new RequestRecord("chat", "tiny", RequestOutcome.Completed, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20 + i), 10, 10, true)
            {
                RequestId = $"req_{i}",
                Arrival = DateTimeOffset.UtcNow,
            });
        }
    }

    private static async Task<long> StoredAsync(SqliteHistoryStore store, DateTimeOffset since) =>
        (await store.ReadRollupsAsync(since, DateTimeOffset.UtcNow.AddMinutes(1), Ct)).Sum(r => r.Totals.Count);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{what} did not happen within 30 s");
            await Task.Delay(20, Ct);
        }
    }
}
