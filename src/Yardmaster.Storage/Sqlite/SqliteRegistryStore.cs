using System.Globalization;
using Microsoft.Data.Sqlite;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Registry;

namespace Yardmaster.Storage.Sqlite;

/// <summary>
/// The registry in a SQLite file: tables <c>tasks</c> and <c>models</c> keyed by name, each definition
/// kept as <see cref="DefinitionJson"/> with <c>created_at</c> and <c>updated_at</c> (UTC, ISO 8601, from
/// the injected <see cref="TimeProvider"/>). The file is in WAL mode, so lists do not wait for writes.
/// Definitions read back with the <c>FromConfig</c> they were written with.
/// </summary>
/// <remarks>
/// Thread-safe: every call opens its own (pooled) connection and is one statement, hence one transaction;
/// concurrent writers wait on SQLite's lock for up to <see cref="BusyTimeout"/>. Lists are ordered by name,
/// ordinal. A row whose definition no longer reads is skipped by the lists and reported to the
/// <c>onUnreadableRow</c> callback given to <see cref="OpenAsync(string, TimeProvider, Action{UnreadableRow}?, CancellationToken)"/>
/// (on the listing thread, once per row per list); upserting or deleting that name repairs it.
/// </remarks>
public sealed class SqliteRegistryStore : IRegistryStore
{
    /// <summary>How long a call waits for another connection's write lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private const string TasksTable = "tasks";
    private const string ModelsTable = "models";

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly Action<UnreadableRow>? _onUnreadableRow;
    private int _disposed;

    private SqliteRegistryStore(string path, string connectionString, TimeProvider time, Action<UnreadableRow>? onUnreadableRow)
    {
        Path = path;
        _connectionString = connectionString;
        _time = time;
        _onUnreadableRow = onUnreadableRow;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>Opens the store without a report of unreadable rows (they are skipped silently).</summary>
    /// <inheritdoc cref="OpenAsync(string, TimeProvider, Action{UnreadableRow}?, CancellationToken)"/>
    public static Task<SqliteRegistryStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(path, time, onUnreadableRow: null, cancellationToken);

    /// <summary>
    /// Opens (creating the folder and the file when missing) the store at <paramref name="path"/>, turns on
    /// WAL mode and applies the schema migrations the file lacks.
    /// </summary>
    /// <param name="path">The SQLite file; relative paths are against the current directory.</param>
    /// <param name="time">The clock of <c>created_at</c>, <c>updated_at</c> and <c>schema_migrations.applied_at</c>.</param>
    /// <param name="onUnreadableRow">Told of every row a list skips because its definition no longer reads; null to skip silently.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="InvalidOperationException">The file has a schema version newer than this code knows (the message names both).</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a SQLite database.</exception>
    public static async Task<SqliteRegistryStore> OpenAsync(string path, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        var (fullPath, connectionString) = SqliteFile.Prepare(path);
        var store = new SqliteRegistryStore(fullPath, connectionString, time, onUnreadableRow);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            // Outside any transaction: SQLite cannot change the journal mode inside one. It stays set in the file.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await SqliteMigrations.ApplyAsync(connection, fullPath, time, cancellationToken);
        return store;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TaskDefinition>> ListTasksAsync(CancellationToken cancellationToken) =>
        ListAsync<TaskDefinition>(TasksTable, StoredDefinitions.ReadTask, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ModelDefinition>> ListModelsAsync(CancellationToken cancellationToken) =>
        ListAsync<ModelDefinition>(ModelsTable, StoredDefinitions.ReadModel, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The task would not read back (e.g. an invalid name); the message lists why.</exception>
    public Task UpsertTaskAsync(TaskDefinition task, CancellationToken cancellationToken)
    {
        var json = StoredDefinitions.Json(task);
        return UpsertAsync(TasksTable, task.Name, json, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The model would not read back (e.g. an invalid name); the message lists why.</exception>
    public Task UpsertModelAsync(ModelDefinition model, CancellationToken cancellationToken)
    {
        var json = StoredDefinitions.Json(model);
        return UpsertAsync(ModelsTable, model.Name, json, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteTaskAsync(string name, CancellationToken cancellationToken) => DeleteAsync(TasksTable, name, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken) => DeleteAsync(ModelsTable, name, cancellationToken);

    /// <inheritdoc/>
    public async Task<string?> GetCredentialHashAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash FROM credentials WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc/>
    public async Task SetCredentialHashAsync(string name, string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO credentials (name, hash, created_at) VALUES ($name, $hash, $now)
            ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at;
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$hash", hash);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task AddQualityAsync(ModelQuality quality, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quality);
        QualityRows.Validate(quality);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = QualityRows.Insert('$');
        var values = QualityRows.Values(quality, quality.MeasuredAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        var names = QualityRows.Columns.Split(", ");
        for (var i = 0; i < names.Length; i++)
        {
            command.Parameters.AddWithValue("$" + names[i], values[i]);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelQuality>> ListQualityAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = QualityRows.Select('$', "rowid", model is not null);
        command.Parameters.AddWithValue("$limit", limit);
        if (model is not null)
        {
            command.Parameters.AddWithValue("$model", model);
        }

        var list = new List<ModelQuality>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(QualityRows.Read(reader, (r, i) => SqliteRunStore.Time(r.GetValue(i))));
        }

        return list;
    }

    /// <summary>Releases the pooled connections (and with them the file). Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }


    private async Task<IReadOnlyList<T>> ListAsync<T>(string table, StoredDefinitions.ReadRow<T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = table == TasksTable
            ? "SELECT name, definition FROM tasks ORDER BY name;"
            : "SELECT name, definition FROM models ORDER BY name;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await StoredDefinitions.ReadAllAsync(reader, table, read, _onUnreadableRow, cancellationToken);
    }

    private async Task UpsertAsync(string table, string name, string json, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = table == TasksTable
            ? """
              INSERT INTO tasks (name, definition, created_at, updated_at) VALUES ($name, $definition, $now, $now)
              ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at;
              """
            : """
              INSERT INTO models (name, definition, created_at, updated_at) VALUES ($name, $definition, $now, $now)
              ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at;
              """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$definition", json);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> DeleteAsync(string table, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = table == TasksTable ? "DELETE FROM tasks WHERE name = $name;" : "DELETE FROM models WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};");
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
