using Microsoft.Extensions.Logging;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Models;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.History;
using Yardmaster.Runtime.Serving;
using Yardmaster.Server.Adapt;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Tests.Dashboard;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Server.Tests.Adapt;

/// <summary>
/// The adapter's steps over a real SQLite request log, on a clock the test moves: a change predicted better that then
/// measures worse is reverted; too short a log changes nothing. (The change that measures better is the live test's.)
/// </summary>
public sealed class SchedulerAdapterTests
{
    private static readonly TimeSpan _window = TimeSpan.FromSeconds(16);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AdaptSettings _adapt = new()
    {
        Every = TimeSpan.FromSeconds(4),
        Window = _window,
        MinRequests = 30,
        Seeds = 1,
        Bounds = new AdaptBounds { MaxWait = new Dictionary<string, (TimeSpan, TimeSpan)> { ["batch"] = (TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)) } },
    };

    private static readonly SchedulerSettings _configured = new()
    {
        MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan> { [PriorityClass.Low] = TimeSpan.FromMinutes(2), [PriorityClass.Batch] = TimeSpan.FromSeconds(1) },
        Adapt = _adapt,
    };

    [Fact]
    public async Task Step_ChangeMeasuresWorse_RevertedAndLogged()
    {
        await using var rig = await Rig.StartAsync();
        // The window before, since the server started: bursts of batch requests; half the chat requests (those behind
        // aged batch ones) late.
        await rig.WriteAsync(Workload(rig.Clock.GetUtcNow(), chatLatency: i => i % 2 == 0 ? 300 : 1400));
        rig.Clock.Advance(_window);

        await rig.Adapter.StepAsync(Ct);

        var change = Assert.Single(rig.Journal.Entries);
        Assert.Equal(("adapt", "applied"), (change.Source, change.Status));
        Assert.NotEqual(TimeSpan.FromSeconds(1), rig.Scheduler.Settings.QueueOptions.MaxWaitFor(PriorityClass.Batch));
        Assert.Equal(0.5, change.Before!.Attainment["chat"], 3);
        Assert.True(change.Search!.Best.Mean > change.Search.Current.Mean);

        // Too early to judge: it is being measured.
        rig.Clock.Advance(TimeSpan.FromSeconds(4));
        await rig.Adapter.StepAsync(Ct);
        Assert.Equal("measuring", rig.Journal.LastCheck!.Verdict);

        // The window after it measures worse (every chat request late): back to the settings before.
        await rig.WriteAsync(Workload(change.At, chatLatency: _ => 1400));
        rig.Clock.Advance(_window);
        await rig.Adapter.StepAsync(Ct);

        var judged = Assert.Single(rig.Journal.Entries);
        Assert.Equal("reverted", judged.Status);
        Assert.Equal(0, judged.After!.Attainment["chat"]);
        Assert.Equal("measured 0.111 against 0.556 before it", judged.Note);
        Assert.Equal(TimeSpan.FromSeconds(1), rig.Scheduler.Settings.QueueOptions.MaxWaitFor(PriorityClass.Batch));
        Assert.Contains(rig.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"Scheduler change 1 reverted: measured 0.111 against 0.556", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Step_LogFromBeforeTheServerStarted_SearchedButNotTakenAsTheSettingsMeasure()
    {
        await using var rig = await Rig.StartAsync();
        // A log written before this server started (an earlier run, perhaps under other settings), then a quiet window.
        await rig.WriteAsync(Workload(rig.Clock.GetUtcNow() - _window, chatLatency: i => i % 2 == 0 ? 300 : 1400));

        await rig.Adapter.StepAsync(Ct);

        var change = Assert.Single(rig.Journal.Entries);
        Assert.Equal(0, change.Before!.Requests); // the arrivals were replayed, but none ran under the settings in force
        await rig.WriteAsync(Workload(change.At, chatLatency: _ => 1400));
        rig.Clock.Advance(_window + TimeSpan.FromSeconds(1));
        await rig.Adapter.StepAsync(Ct);

        var judged = Assert.Single(rig.Journal.Entries);
        Assert.Equal("kept", judged.Status); // nothing to compare with: not reverted on a guess
        Assert.StartsWith("not judged: 80 requests in the window after it, 0 before it", judged.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Step_FewerRequestsThanMinimum_NothingChanges()
    {
        await using var rig = await Rig.StartAsync();
        await rig.WriteAsync([.. Workload(rig.Clock.GetUtcNow() - _window, chatLatency: _ => 1400).Take(29)]);

        await rig.Adapter.StepAsync(Ct);

        Assert.Empty(rig.Journal.Entries);
        Assert.Equal(("too_few_requests", 29), (rig.Journal.LastCheck!.Verdict, rig.Journal.LastCheck.Requests));
        Assert.Equal(TimeSpan.FromSeconds(1), rig.Scheduler.Settings.QueueOptions.MaxWaitFor(PriorityClass.Batch));
    }

    /// <summary>16 s from <paramref name="start"/>: every 4 s 12 batch requests of 20 tokens, every 0.5 s a chat request of 10 tokens with the given latency (ms).</summary>
    private static List<RequestLogRecord> Workload(DateTimeOffset start, Func<int, double> chatLatency)
    {
        var rows = new List<RequestLogRecord>();
        for (var tick = 0; tick < 32; tick++)
        {
            var at = start + TimeSpan.FromMilliseconds(500 * tick);
            if (tick % 8 == 0)
            {
                rows.AddRange(Enumerable.Range(0, 12).Select(b => Row($"bulk-{tick}-{b}", at, "bulk", "batch", 20, 200 * (b + 1))));
            }

            rows.Add(Row($"chat-{tick}", at.AddMilliseconds(1), "chat", "high", 10, chatLatency(tick)));
        }

        return rows;
    }

    private static RequestLogRecord Row(string id, DateTimeOffset at, string task, string priority, int tokens, double latency) =>
        new(id, at, task, "paced", priority, 8, tokens, 0, latency, latency, RequestOutcome.Completed, null);

    /// <summary>A scheduler (no model loads: only its settings change), a SQLite request log, and the adapter between them.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly TempDirectory _data;
        private readonly SqliteHistoryStore _store;
        private readonly HistoryRecorder _recorder;
        private readonly BackendLauncher _launcher;
        private readonly ILoggerFactory _logging;

        private Rig(TempDirectory data, SqliteHistoryStore store, ManualClock clock)
        {
            _data = data;
            _store = store;
            Clock = clock;
            Log = new RecordingLoggerProvider();
            _logging = LoggerFactory.Create(b => b.AddProvider(Log));
            _recorder = new HistoryRecorder(store, new HistorySettings(), _ => [], clock);
            _launcher = new BackendLauncher(new BackendOptions(), clock);
            Scheduler = new ServingScheduler(_configured, new DeviceSettings(), _launcher, new ServingPolicies(QueuePolicies.Create("fair")!, () => new LruEvictionPolicy(), new LeastOutstandingRoutingPolicy()), clock);
            var config = new YardConfig
            {
                Scheduler = _configured,
                Models = [new ModelDefinition { Name = "paced", Backend = BackendKind.Http, Url = new Uri("http://127.0.0.1:9/v1"), Slots = 1, Simulation = new ModelSpeedSettings(1e6, 100, null) }],
                Tasks =
                [
                    new TaskDefinition { Name = "chat", Priority = PriorityClass.High, Latency = TimeSpan.FromMilliseconds(600), Models = ["paced"] },
                    new TaskDefinition { Name = "bulk", Priority = PriorityClass.Batch, Latency = TimeSpan.FromSeconds(60), Models = ["paced"] },
                ],
            };
            Adapter = new SchedulerAdapter(_adapt, Scheduler, () => config, _recorder, store, Journal, clock, _logging.CreateLogger("adapt"));
        }

        public ManualClock Clock { get; }

        public RecordingLoggerProvider Log { get; }

        public ServingScheduler Scheduler { get; }

        public AdaptationJournal Journal { get; } = new();

        public SchedulerAdapter Adapter { get; }

        public static async Task<Rig> StartAsync()
        {
            var data = new TempDirectory();
            var clock = new ManualClock();
            var store = await SqliteHistoryStore.OpenAsync(data.File("yard.db"), clock, null, Ct);
            return new Rig(data, store, clock);
        }

        public Task WriteAsync(IReadOnlyList<RequestLogRecord> rows) => _store.WriteAsync(new HistoryBatch([], rows, [], []), Ct);

        public async ValueTask DisposeAsync()
        {
            await Adapter.DisposeAsync();
            await Scheduler.DisposeAsync();
            await _recorder.DisposeAsync();
            await _store.DisposeAsync();
            _launcher.Dispose();
            _logging.Dispose();
            _data.Dispose();
        }
    }
}
