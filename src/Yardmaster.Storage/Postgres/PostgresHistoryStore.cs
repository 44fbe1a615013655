using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// The history in PostgreSQL (schema version 4), shared by every instance on the database: per-minute rollups (merged
/// with the stored row of the same key on write, under that row's lock, so two instances adding to one minute both
/// count), the request log, model events and usage samples. Times are Unix seconds (minutes) or milliseconds, as in
/// the SQLite store.
/// </summary>
/// <remarks>Thread-safe: every call takes its own pooled connection; compaction and pruning take an advisory lock so two instances never merge the same minutes twice.</remarks>
public sealed partial class PostgresHistoryStore : IHistoryStore, IAsyncDisposable
{
    private const long MaintenanceLock = 0x7961_7264_5f68_6973; // "yard_his"

    private readonly NpgsqlDataSource _source;
    private readonly Action<UnreadableRow>? _onUnreadableRow;
    private int _disposed;

    private PostgresHistoryStore(NpgsqlDataSource source, string url, Action<UnreadableRow>? onUnreadableRow)
    {
        _source = source;
        Url = url;
        _onUnreadableRow = onUnreadableRow;
    }

    /// <summary>The database, as <c>postgres://user@host:port/db</c> (no password).</summary>
    public string Url { get; }

    /// <summary>Connects to <see cref="StoreSettings.Url"/> and applies the migrations the database lacks.</summary>
    /// <param name="settings">The <c>store:</c> settings.</param>
    /// <param name="time">For the migrations' timestamps.</param>
    /// <param name="onUnreadableRow">Told of a rollup whose histograms cannot be read (it is left out of the answer); null to ignore.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <exception cref="InvalidOperationException">Bad settings, an unreachable database, a refused login or a newer schema.</exception>
    public static async Task<PostgresHistoryStore> OpenAsync(StoreSettings settings, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
    {
        var (source, url) = await PostgresSource.OpenAsync(settings, time, cancellationToken);
        return new PostgresHistoryStore(source, url, onUnreadableRow);
    }

    /// <inheritdoc/>
    public async Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await MergeRollupsAsync(connection, transaction, batch.Rollups, cancellationToken);
            await using (var rows = new NpgsqlBatch(connection, transaction))
            {
                AddRequests(rows, batch.Requests);
                AddEvents(rows, batch.Events);
                AddUsage(rows, batch.Usage);
                if (rows.BatchCommands.Count > 0)
                {
                    await rows.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (PostgresSource.IsWriteFailure(e))
        {
            throw PostgresSource.WriteFailed(e, Url);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT minute, task, model, outcome, reason, {HistoryColumns.TotalsColumns} FROM request_rollups WHERE minute >= @since AND minute < @until ORDER BY minute;",
            connection);
        command.Parameters.AddWithValue("since", RollupKey.MinuteOf(since));
        command.Parameters.AddWithValue("until", until.ToUnixTimeSeconds());
        var rows = new List<RollupRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = new RollupKey(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), HistoryColumns.Outcome(reader.GetString(3)), reader.GetString(4));
            if (HistoryColumns.Totals(reader, 5, out var errors) is not { } totals)
            {
                _onUnreadableRow?.Invoke(new UnreadableRow("request_rollups", $"{key.Minute}/{key.Task}/{key.Model}/{key.Outcome}", errors));
                continue;
            }

            rows.Add(new RollupRow(key, totals));
        }

        return rows;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelEventRecord>> ReadEventsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {HistoryColumns.EventColumns} FROM model_events WHERE at_ms >= @since AND at_ms < @until ORDER BY at_ms, seq;",
            connection);
        command.Parameters.AddWithValue("since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("until", until.ToUnixTimeMilliseconds());
        var events = new List<ModelEventRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(HistoryColumns.Event(reader));
        }

        return events;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<UsageSample>> ReadUsageAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT minute, node, resource, capacity, allocated FROM usage_samples WHERE minute >= @since AND minute < @until ORDER BY minute, node COLLATE \"C\", resource COLLATE \"C\";",
            connection);
        command.Parameters.AddWithValue("since", RollupKey.MinuteOf(since));
        command.Parameters.AddWithValue("until", until.ToUnixTimeSeconds());
        var samples = new List<UsageSample>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            samples.Add(new UsageSample(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return samples;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RequestLogRecord> ReadRequestsAsync(DateTimeOffset since, DateTimeOffset until, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT request_id, arrival_ms, task, model, priority, prompt_tokens, output_tokens, queue_ms, ttft_ms, latency_ms, outcome, reason FROM request_log WHERE arrival_ms >= @since AND arrival_ms < @until ORDER BY arrival_ms, seq;",
            connection);
        command.Parameters.AddWithValue("since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("until", until.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new RequestLogRecord(
                reader.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt32(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetDouble(7),
                reader.IsDBNull(8) ? null : reader.GetDouble(8),
                reader.GetDouble(9),
                HistoryColumns.Outcome(reader.GetString(10)),
                reader.IsDBNull(11) ? null : reader.GetString(11));
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _source.DisposeAsync();
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return await _source.OpenConnectionAsync(cancellationToken);
    }

    private static void AddRequests(NpgsqlBatch rows, IReadOnlyList<RequestLogRecord> requests)
    {
        foreach (var r in requests)
        {
            rows.BatchCommands.Add(Statement(
                "INSERT INTO request_log (request_id, arrival_ms, task, model, priority, prompt_tokens, output_tokens, queue_ms, ttft_ms, latency_ms, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);",
                (r.Id, NpgsqlDbType.Text), (r.Arrival.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint), (r.Task, NpgsqlDbType.Text), (r.Model, NpgsqlDbType.Text),
                (r.Priority, NpgsqlDbType.Text), (r.PromptTokens, NpgsqlDbType.Integer), (r.OutputTokens, NpgsqlDbType.Integer), (r.QueueMs, NpgsqlDbType.Double),
                (r.TtftMs, NpgsqlDbType.Double), (r.LatencyMs, NpgsqlDbType.Double), (HistoryColumns.OutcomeText(r.Outcome), NpgsqlDbType.Text), (r.Reason, NpgsqlDbType.Text)));
        }
    }

    private static void AddEvents(NpgsqlBatch rows, IReadOnlyList<ModelEventRecord> events)
    {
        foreach (var e in events)
        {
            rows.BatchCommands.Add(Statement(
                "INSERT INTO model_events (at_ms, kind, model, replica, device, reason, detail, seconds, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);",
                (e.At.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint), (e.Kind, NpgsqlDbType.Text), (e.Model, NpgsqlDbType.Text), (e.Replica, NpgsqlDbType.Integer),
                (e.Device, NpgsqlDbType.Text), (e.Reason, NpgsqlDbType.Text), (e.Detail, NpgsqlDbType.Text), (e.Seconds, NpgsqlDbType.Double), (e.Bytes, NpgsqlDbType.Bigint)));
        }
    }

    private static void AddUsage(NpgsqlBatch rows, IReadOnlyList<UsageSample> usage)
    {
        foreach (var u in usage)
        {
            rows.BatchCommands.Add(Statement(
                """
                INSERT INTO usage_samples (minute, node, resource, capacity, allocated) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (minute, node, resource) DO UPDATE SET capacity = excluded.capacity, allocated = excluded.allocated;
                """,
                (u.Minute, NpgsqlDbType.Bigint), (u.Node, NpgsqlDbType.Text), (u.Resource, NpgsqlDbType.Text), (u.Capacity, NpgsqlDbType.Bigint), (u.Allocated, NpgsqlDbType.Bigint)));
        }
    }

    private static NpgsqlBatchCommand Statement(string sql, params (object? Value, NpgsqlDbType Type)[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (value, type) in values)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });
        }

        return command;
    }
}
