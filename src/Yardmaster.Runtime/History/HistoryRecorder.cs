using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Runs;
using Yardmaster.Core.Statistics;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Runtime.History;

/// <summary>
/// Keeps the history: adds each finished request to its per-minute rollup (and, sampled, to the request log), keeps
/// replica events and a per-minute usage sample, writes what it gathered to the store every few seconds in one
/// transaction, and prunes rows past the retention hourly. Queries see the store plus what is not written yet, so a
/// request is in <c>/api/stats?since=</c> the moment it ends. A write that fails (a full disk) is kept and tried again.
/// </summary>
/// <remarks>Thread-safe. Recording is O(1) under a lock and never waits for the store.</remarks>
public sealed partial class HistoryRecorder : IRequestSink, IAsyncDisposable
{
    /// <summary>Rows of the request log kept in memory while the store cannot be written; beyond it the oldest are dropped (and counted).</summary>
    public const int MaxPendingRequests = 100_000;

    private readonly IHistoryStore _store;
    private readonly HistorySettings _settings;
    private readonly Func<long, IReadOnlyList<UsageSample>> _sampleUsage;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TimeSpan _flushInterval;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<RollupKey, RollupTotals> _rollups = [];
    private List<RequestLogRecord> _requests = [];
    private List<ModelEventRecord> _events = [];
    private List<UsageSample> _usage = [];
    private long _lastSampledMinute;
    private double _logTokens;
    private long _logRefilledAt;
    private DateTimeOffset _nextPrune;
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates a recorder; call <see cref="Start"/> to begin writing.</summary>
    /// <param name="store">Where the history goes.</param>
    /// <param name="settings"><c>history:</c>.</param>
    /// <param name="sampleUsage">The usage of each node and device now, for the minute given (Unix seconds); called once a minute.</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">For write failures.</param>
    /// <param name="flushInterval">How often to write; default 5 s.</param>
    public HistoryRecorder(IHistoryStore store, HistorySettings settings, Func<long, IReadOnlyList<UsageSample>> sampleUsage, TimeProvider time, ILogger? log = null, TimeSpan? flushInterval = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampleUsage);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _settings = settings;
        _sampleUsage = sampleUsage;
        _time = time;
        _log = log ?? NullLogger.Instance;
        _flushInterval = flushInterval ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>Request-log rows dropped because the store could not be written for long.</summary>
    public long DroppedRequests { get; private set; }

    /// <summary>Requests left out of the request log by <c>history.requests.max_per_second</c> (still in the rollups).</summary>
    public long SkippedByRate { get; private set; }

    /// <summary>Starts the background writer and pruner.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    /// <inheritdoc/>
    public void Record(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = RollupKey.Of(record, _time.GetUtcNow());
        var logged = Sampled(record.RequestId);
        lock (_lock)
        {
            if (!_rollups.TryGetValue(key, out var totals))
            {
                totals = new RollupTotals();
                _rollups.Add(key, totals);
            }

            totals.Add(record);
            if (logged && !TakeLogToken())
            {
                logged = false;
                SkippedByRate++;
            }

            if (logged)
            {
                _requests.Add(RequestLogRecord.Of(record));
                if (_requests.Count > MaxPendingRequests)
                {
                    _requests.RemoveAt(0);
                    DroppedRequests++;
                }
            }
        }
    }

    /// <summary>Keeps a replica event (subscribe it to <see cref="ServingScheduler.Changed"/>).</summary>
    public void Record(ServingEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var record = new ModelEventRecord(
            e.At,
            e.Kind.ToString().ToLowerInvariant(),
            e.Model,
            e.Replica,
            e.Device,
            e.Unload?.ToString().ToLowerInvariant(),
            e.Detail,
            e.Duration?.TotalSeconds,
            e.Bytes);
        lock (_lock)
        {
            _events.Add(record);
        }
    }

    /// <summary>The statistics of [<paramref name="since"/>, <paramref name="until"/>), from the store and what is not written yet.</summary>
    public async Task<StatisticsSnapshot> StatisticsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var (rows, events) = await ReadAsync(since, until, cancellationToken).ConfigureAwait(false);
        return HistoryWindow.Statistics(rows, events);
    }

    /// <summary>The rollups and model events of [<paramref name="since"/>, <paramref name="until"/>), from the store and what is not written yet.</summary>
    public async Task<(IReadOnlyList<RollupRow> Rows, IReadOnlyList<ModelEventRecord> Events)> ReadAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // Under the flush gate, so that a batch is seen either pending or stored, never both or neither.
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await _store.ReadRollupsAsync(since, until, cancellationToken).ConfigureAwait(false);
            var storedEvents = await _store.ReadEventsAsync(since, until, cancellationToken).ConfigureAwait(false);
            var (first, last) = (RollupKey.MinuteOf(since), until.ToUnixTimeSeconds());
            lock (_lock)
            {
                List<RollupRow> rows = [.. stored, .. _rollups.Where(r => r.Key.Minute >= first && r.Key.Minute < last).Select(r => new RollupRow(r.Key, r.Value.Clone()))];
                List<ModelEventRecord> events = [.. storedEvents, .. _events.Where(e => e.At >= since && e.At < until)];
                return (rows, events);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Writes what is gathered now (also done every few seconds, and at disposal). A failed write is kept for the next.</summary>
    /// <exception cref="StoreWriteException">The store could not be written (what was gathered is kept).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SampleUsage();
            HistoryBatch batch;
            Dictionary<RollupKey, RollupTotals> rollups;
            lock (_lock)
            {
                rollups = _rollups;
                batch = new HistoryBatch([.. rollups.Select(r => new RollupRow(r.Key, r.Value))], _requests, _events, _usage);
                (_rollups, _requests, _events, _usage) = ([], [], [], []);
            }

            try
            {
                await _store.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Restore(batch);
                throw;
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreWriteException e)
        {
            Log.Lost(_log, e.Message);
        }

        _stopping.Dispose();
        _flushGate.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Back off while the store cannot be written, up to a minute.
                await Task.Delay(failures == 0 ? _flushInterval : TimeSpan.FromSeconds(Math.Min(60, _flushInterval.TotalSeconds * Math.Pow(2, failures))), _time, stopping).ConfigureAwait(false);
                await FlushAsync(stopping).ConfigureAwait(false);
                if (_time.GetUtcNow() >= _nextPrune)
                {
                    var now = _time.GetUtcNow();
                    var deleted = await _store.PruneAsync(now - _settings.Retention, _settings.RequestMaxRows, stopping).ConfigureAwait(false);
                    deleted += await _store.CompactAsync(now - _settings.MinuteRows, stopping).ConfigureAwait(false);
                    _nextPrune = now + TimeSpan.FromHours(1);
                    Log.Pruned(_log, deleted);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (StoreWriteException e)
            {
                failures++;
                Log.WriteFailed(_log, e.Message);
            }
        }
    }

    private void SampleUsage()
    {
        var minute = RollupKey.MinuteOf(_time.GetUtcNow());
        if (minute == Volatile.Read(ref _lastSampledMinute))
        {
            return;
        }

        var samples = _sampleUsage(minute);
        lock (_lock)
        {
            _usage.AddRange(samples);
            _lastSampledMinute = minute;
        }
    }

    private void Restore(HistoryBatch batch)
    {
        lock (_lock)
        {
            foreach (var row in batch.Rollups)
            {
                if (_rollups.TryGetValue(row.Key, out var newer))
                {
                    newer.Merge(row.Totals);
                }
                else
                {
                    _rollups.Add(row.Key, row.Totals);
                }
            }

            _requests.InsertRange(0, batch.Requests);
            if (_requests.Count > MaxPendingRequests)
            {
                var excess = _requests.Count - MaxPendingRequests;
                _requests.RemoveRange(0, excess);
                DroppedRequests += excess;
            }

            _events.InsertRange(0, batch.Events);
            _usage.InsertRange(0, batch.Usage);
        }
    }

    // Callers hold _lock. A token bucket of max_per_second, holding one second's worth.
    private bool TakeLogToken()
    {
        var rate = _settings.RequestMaxPerSecond;
        if (rate <= 0)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        _logTokens = _logRefilledAt == 0 ? rate : Math.Min(rate, _logTokens + (rate * _time.GetElapsedTime(_logRefilledAt, now).TotalSeconds));
        _logRefilledAt = now;
        if (_logTokens < 1)
        {
            return false;
        }

        _logTokens--;
        return true;
    }

    private bool Sampled(string requestId)
    {
        var rate = _settings.RequestSample;
        if (rate >= 1)
        {
            return true;
        }

        if (rate <= 0 || _settings.RequestMaxRows == 0)
        {
            return false;
        }

        // By a stable hash of the id (FNV-1a), so the same request is in or out in every process.
        var hash = 2166136261u;
        foreach (var c in requestId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash % 1_000_000 < rate * 1_000_000;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "History not written (kept, will try again): {Reason}")]
        public static partial void WriteFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "History of the last seconds lost at shutdown: {Reason}")]
        public static partial void Lost(ILogger logger, string reason);

        [LoggerMessage(EventId = 42, Level = LogLevel.Debug, Message = "History pruned: {Rows} rows past the retention or the request log's max_rows")]
        public static partial void Pruned(ILogger logger, long rows);
    }
}
