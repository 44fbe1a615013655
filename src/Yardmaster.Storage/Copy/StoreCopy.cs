using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Yardmaster.Core.Configuration;
using Yardmaster.Storage.Postgres;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage.Copy;

/// <summary>
/// <c>yard store migrate</c>: copies a SQLite store into a PostgreSQL database, every table (registry, credentials, runs
/// with their steps, attempts, transitions and durations, the run-id sequence, the history), in one transaction on the
/// target, so a failure leaves the target as it was. The source is opened read-only and is not changed. A target that
/// already holds rows is refused unless <c>force</c>, which empties its tables first (in the same transaction).
/// </summary>
public static class StoreCopy
{
    /// <summary>Copies <paramref name="sqlitePath"/> into the database of <paramref name="target"/> (migrating it to the current schema first).</summary>
    /// <exception cref="InvalidOperationException">The source is missing, not a store or newer than this code; or the target's settings, login or schema are wrong. The message says which.</exception>
    public static async Task<StoreCopyResult> RunAsync(string sqlitePath, StoreSettings target, bool force, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sqlitePath);
        var fullPath = Path.GetFullPath(sqlitePath);
        if (!File.Exists(fullPath))
        {
            throw new InvalidOperationException($"no SQLite store at {fullPath}");
        }

        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await source.OpenAsync(cancellationToken);
        var sourceTables = await SourceTablesAsync(source, fullPath, cancellationToken);
        // One read transaction: every table as of one moment, even while a server writes the file.
        await using var snapshot = (SqliteTransaction)await source.BeginTransactionAsync(cancellationToken);

        var (targetSource, _) = await PostgresSource.OpenAsync(target, time, cancellationToken);
        await using (targetSource)
        {
            await using var connection = await targetSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var held = await HeldRowsAsync(connection, transaction, cancellationToken);
            if (held.Count > 0 && !force)
            {
                return new StoreCopyResult([], null, $"the target already holds {string.Join(", ", held)}; pass --force to replace them with the copy");
            }

            if (held.Count > 0)
            {
                await ExecuteAsync(connection, transaction, $"TRUNCATE {string.Join(", ", CopiedTable.All.Select(t => t.Name))} RESTART IDENTITY; ALTER SEQUENCE run_ids RESTART;", cancellationToken);
            }

            var counts = new List<(string, long)>();
            foreach (var table in CopiedTable.All)
            {
                counts.Add((table.Name, sourceTables.Contains(table.Name) ? await CopyAsync(snapshot, connection, table, cancellationToken) : 0));
                if (table.Identity is { } identity)
                {
                    await ExecuteAsync(connection, transaction,
                        $"SELECT setval(pg_get_serial_sequence('{table.Name}', '{identity}'), COALESCE(MAX({identity}), 0) + 1, false) FROM {table.Name};", cancellationToken);
                }
            }

            var lastRun = sourceTables.Contains("run_ids") ? await LastRunNumberAsync(snapshot, cancellationToken) : 0;
            await ExecuteAsync(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"SELECT setval('run_ids', {lastRun + 1}, false);"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new StoreCopyResult(counts, "r" + (lastRun + 1).ToString(CultureInfo.InvariantCulture), null);
        }
    }

    private static async Task<HashSet<string>> SourceTablesAsync(SqliteConnection source, string path, CancellationToken cancellationToken)
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table';";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (!tables.Contains("schema_migrations"))
        {
            throw new InvalidOperationException($"{path} is not a Yardmaster store (it has no schema_migrations table)");
        }

        await using (var command = source.CreateCommand())
        {
            command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
            var version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (version > SqliteMigrations.Latest)
            {
                throw new InvalidOperationException(
                    $"The store '{path}' has schema version {version}, but this Yardmaster knows versions up to {SqliteMigrations.Latest}; copy it with the newer Yardmaster that wrote it.");
            }
        }

        return tables;
    }

    /// <summary>Tables of the target that hold rows, as "N rows in TABLE"; and the run-id sequence if it has given ids.</summary>
    private static async Task<List<string>> HeldRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var counts = string.Join(", ", CopiedTable.All.Select(t => $"(SELECT COUNT(*) FROM {t.Name})"));
        await using var command = new NpgsqlCommand($"SELECT {counts}, (SELECT is_called FROM run_ids);", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var held = new List<string>();
        for (var i = 0; i < CopiedTable.All.Count; i++)
        {
            if (reader.GetInt64(i) is var rows and > 0)
            {
                held.Add(string.Create(CultureInfo.InvariantCulture, $"{rows} row(s) in {CopiedTable.All[i].Name}"));
            }
        }

        if (held.Count == 0 && reader.GetBoolean(CopiedTable.All.Count))
        {
            held.Add("run ids already given out");
        }

        return held;
    }

    private static async Task<long> CopyAsync(SqliteTransaction source, NpgsqlConnection target, CopiedTable table, CancellationToken cancellationToken)
    {
        await using var read = source.Connection!.CreateCommand();
        read.Transaction = source;
        read.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => c.Column))} FROM {table.Name} ORDER BY {table.Order};";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await using var writer = await target.BeginBinaryImportAsync(
            $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => CopiedTable.TargetName(c.Column)))}) FROM STDIN (FORMAT BINARY);", cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            await writer.StartRowAsync(cancellationToken);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var (column, type) = table.Columns[i];
                if (reader.IsDBNull(i))
                {
                    await writer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await writer.WriteAsync(Value(reader, i, type, $"{table.Name} row {rows}, column {column}"), type, cancellationToken);
                }
            }
        }

        await writer.CompleteAsync(cancellationToken);
        return rows;
    }

    private static object Value(SqliteDataReader reader, int ordinal, NpgsqlDbType type, string where) => type switch
    {
        NpgsqlDbType.TimestampTz => SqliteRunStore.Time(reader.GetValue(ordinal)) ?? throw new InvalidOperationException($"{where}: not a time"),
        NpgsqlDbType.Integer => reader.GetInt32(ordinal),
        NpgsqlDbType.Bigint => reader.GetInt64(ordinal),
        NpgsqlDbType.Double => reader.GetDouble(ordinal),
        _ => reader.GetString(ordinal),
    };

    /// <summary>The highest run number the source gave out: AUTOINCREMENT's high-water mark, which outlives deleted rows.</summary>
    private static async Task<long> LastRunNumberAsync(SqliteTransaction source, CancellationToken cancellationToken)
    {
        await using var command = source.Connection!.CreateCommand();
        command.Transaction = source;
        command.CommandText = "SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM run_ids UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'run_ids');";
        return await command.ExecuteScalarAsync(cancellationToken) is long n ? n : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
