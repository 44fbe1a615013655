using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Statistics;
using Yardmaster.HistoryBench;
using Yardmaster.Runtime.History;
using Yardmaster.Storage.Sqlite;

// The store's growth per million requests with the default history settings: a million requests of a realistic mix
// (10 tasks, 3 models, 3% refused by 3 reasons, 1% timed out) spread over a simulated day, recorded by the real
// HistoryRecorder into a real SQLite file, written every 5 simulated seconds as the server does.
// Usage: dotnet run -c Release --project bench/Yardmaster.HistoryBench [-- REQUESTS HOURS SAMPLE]
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var hours = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 24;
var folder = Directory.CreateTempSubdirectory("yard-history-bench-");
var path = Path.Combine(folder.FullName, "yard.db");
var clock = new SteppedClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
var settings = new HistorySettings { RequestSample = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1.0 };
var random = new Random(42);
string[] tasks = [.. Enumerable.Range(0, 10).Select(i => $"task-{i}")];
string[] models = ["small", "medium", "large"];
string[] reasons = [RefusalReasons.RateLimit, RefusalReasons.QueueFull, RefusalReasons.DeadlineUnmeetable];
var gap = TimeSpan.FromHours(hours) / requests;
var flushEvery = TimeSpan.FromSeconds(5);
var sinceFlush = TimeSpan.Zero;
var watch = Stopwatch.StartNew();
var recordTime = TimeSpan.Zero;
await using (var store = await SqliteHistoryStore.OpenAsync(path, clock, null, CancellationToken.None))
{
    await using var recorder = new HistoryRecorder(store, settings, minute => [new UsageSample(minute, "local", "cpu_millis", 2000, 500), new UsageSample(minute, "cpu", "model_memory_bytes", 8L << 30, 1L << 30)], clock);
    for (var i = 0; i < requests; i++)
    {
        var roll = random.NextDouble();
        var outcome = roll < 0.03 ? RequestOutcome.Refused : roll < 0.04 ? RequestOutcome.TimedOut : RequestOutcome.Completed;
        var served = outcome != RequestOutcome.Refused;
        var latency = TimeSpan.FromMilliseconds(20 + (random.NextDouble() * random.NextDouble() * 8000));
        var started = Stopwatch.GetTimestamp();
        recorder.Record(new RequestRecord(
            tasks[(int)(Math.Pow(random.NextDouble(), 2) * tasks.Length)],
            served ? models[random.Next(models.Length)] : null,
            outcome,
            served ? TimeSpan.FromMilliseconds(random.NextDouble() * 50) : null,
            served ? latency / 4 : null,
            latency,
            random.Next(20, 2000),
            served ? random.Next(1, 500) : 0,
            outcome == RequestOutcome.Completed ? latency < TimeSpan.FromSeconds(5) : false)
        {
            RequestId = "req_" + i.ToString("x24", CultureInfo.InvariantCulture),
            Arrival = clock.GetUtcNow() - latency,
            Priority = PriorityClass.Normal,
            Reason = outcome == RequestOutcome.Refused ? reasons[random.Next(reasons.Length)] : outcome == RequestOutcome.TimedOut ? RefusalReasons.DeadlineExceeded : null,
        });
        recordTime += Stopwatch.GetElapsedTime(started);
        clock.Advance(gap);
        sinceFlush += gap;
        if (sinceFlush >= flushEvery)
        {
            await recorder.FlushAsync(CancellationToken.None);
            sinceFlush = TimeSpan.Zero;
        }
    }
}

var elapsed = watch.Elapsed;
await using (var connection = new SqliteConnection($"Data Source={path}"))
{
    await connection.OpenAsync();
    await using var checkpoint = connection.CreateCommand();
    checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
    await checkpoint.ExecuteNonQueryAsync();
    foreach (var table in new[] { "request_rollups", "request_log", "model_events", "usage_samples" })
    {
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM {table};";
        var rows = (long)(await count.ExecuteScalarAsync())!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{table,-16} {rows,10:N0} rows"));
    }
}

SqliteConnection.ClearAllPools();
var bytes = new FileInfo(path).Length;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {requests:N0} over {hours} h (simulated), history.requests.sample {settings.RequestSample}; store file {bytes / 1048576.0:0.0} MiB = {bytes / (requests / 1e6) / 1048576.0:0.0} MiB per million requests"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recording: {recordTime.TotalMilliseconds * 1e6 / requests:0} ns per request on the caller's thread; whole run {elapsed.TotalSeconds:0.0} s"));
folder.Delete(recursive: true);
