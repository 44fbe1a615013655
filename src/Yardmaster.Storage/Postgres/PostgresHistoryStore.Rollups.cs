using Npgsql;
using Yardmaster.Core.History;

namespace Yardmaster.Storage.Postgres;

public sealed partial class PostgresHistoryStore
{
    private const string KeyWhere = "minute = @minute AND task = @task AND model = @model AND outcome = @outcome AND reason = @reason";

    /// <inheritdoc/>
    public async Task<long> CompactAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockMaintenanceAsync(connection, transaction, cancellationToken);
            var hourly = new Dictionary<RollupKey, RollupTotals>();
            long removed = 0;
            // DELETE ... RETURNING: exactly the rows merged are the rows removed, whatever another instance writes meanwhile.
            await using (var command = new NpgsqlCommand(
                $"DELETE FROM request_rollups WHERE minute < @before AND minute % 3600 <> 0 RETURNING minute, task, model, outcome, reason, {HistoryColumns.TotalsColumns};",
                connection,
                transaction))
            {
                command.Parameters.AddWithValue("before", RollupKey.MinuteOf(before));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    removed++;
                    if (HistoryColumns.Totals(reader, 5, out _) is not { } totals)
                    {
                        continue; // a damaged row goes with the others (ReadRollupsAsync reported it while it lasted)
                    }

                    var minute = reader.GetInt64(0);
                    var key = new RollupKey(minute - (minute % 3600), reader.GetString(1), reader.GetString(2), HistoryColumns.Outcome(reader.GetString(3)), reader.GetString(4));
                    Add(hourly, key, totals);
                }
            }

            await MergeRollupsAsync(connection, transaction, [.. hourly.Select(h => new RollupRow(h.Key, h.Value))], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return removed;
        }
        catch (Exception e) when (PostgresSource.IsWriteFailure(e))
        {
            throw PostgresSource.WriteFailed(e, Url);
        }
    }

    /// <inheritdoc/>
    public async Task<long> PruneAsync(DateTimeOffset before, long maxRequests, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRequests);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockMaintenanceAsync(connection, transaction, cancellationToken);
            var minute = RollupKey.MinuteOf(before);
            var ms = before.ToUnixTimeMilliseconds();
            long deleted = 0;
            deleted += await ExecuteAsync(connection, transaction, "DELETE FROM request_rollups WHERE minute < @v;", minute, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction, "DELETE FROM usage_samples WHERE minute < @v;", minute, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction, "DELETE FROM model_events WHERE at_ms < @v;", ms, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction, "DELETE FROM request_log WHERE arrival_ms < @v;", ms, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction, "DELETE FROM request_log WHERE seq <= (SELECT MAX(seq) FROM request_log) - @v;", maxRequests, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return deleted;
        }
        catch (Exception e) when (PostgresSource.IsWriteFailure(e))
        {
            throw PostgresSource.WriteFailed(e, Url);
        }
    }

    /// <summary>
    /// Adds each rollup to the stored row of its key, or inserts it. Keys are visited in one order (so two instances never
    /// deadlock) and a stored row is locked before it is read, so concurrent writers of one key both count.
    /// </summary>
    private static async Task MergeRollupsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RollupRow> rollups, CancellationToken cancellationToken)
    {
        if (rollups.Count == 0)
        {
            return;
        }

        var merged = new Dictionary<RollupKey, RollupTotals>();
        foreach (var row in rollups)
        {
            Add(merged, row.Key, row.Totals.Clone());
        }

        var ordered = merged.OrderBy(m => m.Key.Minute).ThenBy(m => m.Key.Task, StringComparer.Ordinal).ThenBy(m => m.Key.Model, StringComparer.Ordinal)
            .ThenBy(m => HistoryColumns.OutcomeText(m.Key.Outcome), StringComparer.Ordinal).ThenBy(m => m.Key.Reason, StringComparer.Ordinal);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO request_rollups (minute, task, model, outcome, reason, {HistoryColumns.TotalsColumns}) VALUES (@minute, @task, @model, @outcome, @reason, @requests, @tokens_in, @tokens_out, @slo_counted, @slo_met, @queue_ms, @ttft_ms, @latency_ms) ON CONFLICT (minute, task, model, outcome, reason) DO NOTHING;",
            connection,
            transaction);
        await using var read = new NpgsqlCommand($"SELECT {HistoryColumns.TotalsColumns} FROM request_rollups WHERE {KeyWhere} FOR UPDATE;", connection, transaction);
        await using var update = new NpgsqlCommand(
            $"UPDATE request_rollups SET requests = @requests, tokens_in = @tokens_in, tokens_out = @tokens_out, slo_counted = @slo_counted, slo_met = @slo_met, queue_ms = @queue_ms, ttft_ms = @ttft_ms, latency_ms = @latency_ms WHERE {KeyWhere};",
            connection,
            transaction);
        foreach (var (key, totals) in ordered)
        {
            SetRow(insert, key, totals);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                continue;
            }

            SetKey(read, key);
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && HistoryColumns.Totals(reader, 0, out _) is { } stored)
                {
                    totals.Merge(stored);
                }
            }

            SetRow(update, key, totals);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void Add(Dictionary<RollupKey, RollupTotals> into, RollupKey key, RollupTotals totals)
    {
        if (into.TryGetValue(key, out var sum))
        {
            sum.Merge(totals);
        }
        else
        {
            into.Add(key, totals);
        }
    }

    private static void SetRow(NpgsqlCommand command, RollupKey key, RollupTotals totals)
    {
        SetKey(command, key);
        Set(command, "requests", totals.Count);
        Set(command, "tokens_in", totals.TokensIn);
        Set(command, "tokens_out", totals.TokensOut);
        Set(command, "slo_counted", totals.SloCounted);
        Set(command, "slo_met", totals.SloMet);
        Set(command, "queue_ms", totals.QueueTime.Encode());
        Set(command, "ttft_ms", totals.TimeToFirstToken.Encode());
        Set(command, "latency_ms", totals.Latency.Encode());
    }

    private static void SetKey(NpgsqlCommand command, RollupKey key)
    {
        Set(command, "minute", key.Minute);
        Set(command, "task", key.Task);
        Set(command, "model", key.Model);
        Set(command, "outcome", HistoryColumns.OutcomeText(key.Outcome));
        Set(command, "reason", key.Reason);
    }

    private static void Set(NpgsqlCommand command, string name, object value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    private static async Task LockMaintenanceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction);
        command.Parameters.AddWithValue("key", MaintenanceLock);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("v", value);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
