using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Yardmaster.Core.History;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Sqlite;

/// <summary>
/// The history in the SQLite file of the registry (schema version 4): per-minute rollups (merged with the stored row of
/// the same key on write), the request log, model events and usage samples. One writer connection, one transaction per
/// batch; reads use their own pooled connections. Times are Unix seconds (minutes) or milliseconds (events, requests).
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class SqliteHistoryStore : IHistoryStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly Action<UnreadableRow>? _onUnreadableRow;
    private int _disposed;

    private SqliteHistoryStore(string path, string connectionString, SqliteConnection writer, Action<UnreadableRow>? onUnreadableRow)
    {
        Path = path;
        _connectionString = connectionString;
        _writer = writer;
        _onUnreadableRow = onUnreadableRow;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the store at <paramref name="path"/> and applies the migrations it lacks.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="time">For the migrations' timestamps.</param>
    /// <param name="onUnreadableRow">Told of a rollup whose histograms cannot be read (it is left out of the answer); null to ignore.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <exception cref="InvalidOperationException">The file has a newer schema than this code knows.</exception>
    public static async Task<SqliteHistoryStore> OpenAsync(string path, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
    {
        var (fullPath, connectionString, writer) = await SqliteFile.OpenWriterAsync(path, time, cancellationToken);

        return new SqliteHistoryStore(fullPath, connectionString, writer, onUnreadableRow);
    }

    /// <inheritdoc/>
    public async Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken);
            await WriteRollupsAsync(transaction, batch.Rollups, cancellationToken);
            await WriteRequestsAsync(transaction, batch.Requests, cancellationToken);
            await WriteEventsAsync(transaction, batch.Events, cancellationToken);
            await WriteUsageAsync(transaction, batch.Usage, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: 13 or 10 } or IOException)
        {
            throw StoreWriteException.For(e, System.IO.Path.GetDirectoryName(Path) ?? Path, diskFull: e is SqliteException { SqliteErrorCode: 13 });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await SqliteFile.OpenAsync(_connectionString, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT minute, task, model, outcome, reason, requests, tokens_in, tokens_out, slo_counted, slo_met, queue_ms, ttft_ms, latency_ms
            FROM request_rollups WHERE minute >= $since AND minute < $until ORDER BY minute;
            """;
        command.Parameters.AddWithValue("$since", RollupKey.MinuteOf(since));
        command.Parameters.AddWithValue("$until", until.ToUnixTimeSeconds());
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
        await using var connection = await SqliteFile.OpenAsync(_connectionString, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT at_ms, kind, model, replica, device, reason, detail, seconds, bytes
            FROM model_events WHERE at_ms >= $since AND at_ms < $until ORDER BY at_ms, rowid;
            """;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
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
        await using var connection = await SqliteFile.OpenAsync(_connectionString, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT minute, node, resource, capacity, allocated FROM usage_samples WHERE minute >= $since AND minute < $until ORDER BY minute, node, resource;";
        command.Parameters.AddWithValue("$since", RollupKey.MinuteOf(since));
        command.Parameters.AddWithValue("$until", until.ToUnixTimeSeconds());
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
        await using var connection = await SqliteFile.OpenAsync(_connectionString, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT request_id, arrival_ms, task, model, priority, prompt_tokens, output_tokens, queue_ms, ttft_ms, latency_ms, outcome, reason
            FROM request_log WHERE arrival_ms >= $since AND arrival_ms < $until ORDER BY arrival_ms, rowid;
            """;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
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

    /// <inheritdoc/>
    public async Task<long> CompactAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken);
            var hourly = new Dictionary<RollupKey, RollupTotals>();
            await using (var read = _writer.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = """
                    SELECT minute, task, model, outcome, reason, requests, tokens_in, tokens_out, slo_counted, slo_met, queue_ms, ttft_ms, latency_ms
                    FROM request_rollups WHERE minute < $before AND minute % 3600 != 0;
                    """;
                read.Parameters.AddWithValue("$before", RollupKey.MinuteOf(before));
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (HistoryColumns.Totals(reader, 5, out _) is not { } totals)
                    {
                        continue; // a damaged row goes with the others (ReadRollupsAsync reported it while it lasted)
                    }

                    var minute = reader.GetInt64(0);
                    var key = new RollupKey(minute - (minute % 3600), reader.GetString(1), reader.GetString(2), HistoryColumns.Outcome(reader.GetString(3)), reader.GetString(4));
                    if (hourly.TryGetValue(key, out var sum))
                    {
                        sum.Merge(totals);
                    }
                    else
                    {
                        hourly.Add(key, totals);
                    }
                }
            }

            var removed = await ExecuteAsync(transaction, "DELETE FROM request_rollups WHERE minute < $v AND minute % 3600 != 0;", RollupKey.MinuteOf(before), cancellationToken);
            await WriteRollupsAsync(transaction, [.. hourly.Select(h => new RollupRow(h.Key, h.Value))], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return removed;
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: 13 or 10 } or IOException)
        {
            throw StoreWriteException.For(e, System.IO.Path.GetDirectoryName(Path) ?? Path, diskFull: e is SqliteException { SqliteErrorCode: 13 });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<long> PruneAsync(DateTimeOffset before, long maxRequests, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRequests);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken);
            long deleted = 0;
            var minute = RollupKey.MinuteOf(before);
            var ms = before.ToUnixTimeMilliseconds();
            deleted += await ExecuteAsync(transaction, "DELETE FROM request_rollups WHERE minute < $v;", minute, cancellationToken);
            deleted += await ExecuteAsync(transaction, "DELETE FROM usage_samples WHERE minute < $v;", minute, cancellationToken);
            deleted += await ExecuteAsync(transaction, "DELETE FROM model_events WHERE at_ms < $v;", ms, cancellationToken);
            deleted += await ExecuteAsync(transaction, "DELETE FROM request_log WHERE arrival_ms < $v;", ms, cancellationToken);
            deleted += await ExecuteAsync(transaction, "DELETE FROM request_log WHERE rowid <= (SELECT MAX(rowid) FROM request_log) - $v;", maxRequests, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return deleted;
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: 13 or 10 } or IOException)
        {
            throw StoreWriteException.For(e, System.IO.Path.GetDirectoryName(Path) ?? Path, diskFull: e is SqliteException { SqliteErrorCode: 13 });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writeGate.WaitAsync();
        await _writer.DisposeAsync();
        _writeGate.Dispose();
    }

    private static async Task WriteRollupsAsync(SqliteTransaction transaction, IReadOnlyList<RollupRow> rollups, CancellationToken cancellationToken)
    {
        if (rollups.Count == 0)
        {
            return;
        }

        await using var read = transaction.Connection!.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = """
            SELECT requests, tokens_in, tokens_out, slo_counted, slo_met, queue_ms, ttft_ms, latency_ms FROM request_rollups
            WHERE minute = $minute AND task = $task AND model = $model AND outcome = $outcome AND reason = $reason;
            """;
        await using var write = transaction.Connection!.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = """
            INSERT OR REPLACE INTO request_rollups (minute, task, model, outcome, reason, requests, tokens_in, tokens_out, slo_counted, slo_met, queue_ms, ttft_ms, latency_ms)
            VALUES ($minute, $task, $model, $outcome, $reason, $requests, $tokens_in, $tokens_out, $slo_counted, $slo_met, $queue_ms, $ttft_ms, $latency_ms);
            """;
        foreach (var row in rollups)
        {
            var totals = row.Totals.Clone();
            SetKey(read, row.Key);
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && HistoryColumns.Totals(reader, 0, out _) is { } stored)
                {
                    totals.Merge(stored);
                }
            }

            SetKey(write, row.Key);
            Set(write, "$requests", totals.Count);
            Set(write, "$tokens_in", totals.TokensIn);
            Set(write, "$tokens_out", totals.TokensOut);
            Set(write, "$slo_counted", totals.SloCounted);
            Set(write, "$slo_met", totals.SloMet);
            Set(write, "$queue_ms", totals.QueueTime.Encode());
            Set(write, "$ttft_ms", totals.TimeToFirstToken.Encode());
            Set(write, "$latency_ms", totals.Latency.Encode());
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static readonly string[] _requestColumns = ["request_id", "arrival_ms", "task", "model", "priority", "prompt_tokens", "output_tokens", "queue_ms", "ttft_ms", "latency_ms", "outcome", "reason"];

    private static async Task WriteRequestsAsync(SqliteTransaction transaction, IReadOnlyList<RequestLogRecord> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }

        // One prepared statement; its parameters are set by position (a lookup by name per value cost more than the insert).
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO request_log ({string.Join(", ", _requestColumns)}) VALUES ({string.Join(", ", _requestColumns.Select(c => "$" + c))});";
        var p = _requestColumns.Select(c => command.Parameters.Add(new SqliteParameter("$" + c, DBNull.Value))).ToArray();
        foreach (var r in requests)
        {
            p[0].Value = r.Id;
            p[1].Value = r.Arrival.ToUnixTimeMilliseconds();
            p[2].Value = r.Task;
            p[3].Value = (object?)r.Model ?? DBNull.Value;
            p[4].Value = (object?)r.Priority ?? DBNull.Value;
            p[5].Value = r.PromptTokens;
            p[6].Value = r.OutputTokens;
            p[7].Value = (object?)r.QueueMs ?? DBNull.Value;
            p[8].Value = (object?)r.TtftMs ?? DBNull.Value;
            p[9].Value = r.LatencyMs;
            p[10].Value = HistoryColumns.OutcomeText(r.Outcome);
            p[11].Value = (object?)r.Reason ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task WriteEventsAsync(SqliteTransaction transaction, IReadOnlyList<ModelEventRecord> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO model_events (at_ms, kind, model, replica, device, reason, detail, seconds, bytes)
            VALUES ($at, $kind, $model, $replica, $device, $reason, $detail, $seconds, $bytes);
            """;
        foreach (var e in events)
        {
            Set(command, "$at", e.At.ToUnixTimeMilliseconds());
            Set(command, "$kind", e.Kind);
            Set(command, "$model", e.Model);
            Set(command, "$replica", e.Replica);
            Set(command, "$device", e.Device);
            Set(command, "$reason", e.Reason);
            Set(command, "$detail", e.Detail);
            Set(command, "$seconds", e.Seconds);
            Set(command, "$bytes", e.Bytes);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task WriteUsageAsync(SqliteTransaction transaction, IReadOnlyList<UsageSample> usage, CancellationToken cancellationToken)
    {
        if (usage.Count == 0)
        {
            return;
        }

        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR REPLACE INTO usage_samples (minute, node, resource, capacity, allocated) VALUES ($minute, $node, $resource, $capacity, $allocated);";
        foreach (var u in usage)
        {
            Set(command, "$minute", u.Minute);
            Set(command, "$node", u.Node);
            Set(command, "$resource", u.Resource);
            Set(command, "$capacity", u.Capacity);
            Set(command, "$allocated", u.Allocated);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void SetKey(SqliteCommand command, RollupKey key)
    {
        Set(command, "$minute", key.Minute);
        Set(command, "$task", key.Task);
        Set(command, "$model", key.Model);
        Set(command, "$outcome", HistoryColumns.OutcomeText(key.Outcome));
        Set(command, "$reason", key.Reason);
    }

    private static void Set(SqliteCommand command, string name, object? value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private static async Task<long> ExecuteAsync(SqliteTransaction transaction, string sql, long value, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$v", value);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

}
