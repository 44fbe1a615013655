using Npgsql;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Registry;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// The registry in PostgreSQL: tables <c>tasks</c> and <c>models</c> keyed by name, each definition kept as
/// <see cref="DefinitionJson"/> with <c>created_at</c> and <c>updated_at</c> (from the injected <see cref="TimeProvider"/>),
/// and the <c>credentials</c> hashes. Several <c>yard serve</c> instances share it.
/// </summary>
/// <remarks>
/// Thread-safe: every call takes a pooled connection and is one statement, hence one transaction. Lists are ordered by
/// name, ordinal (<c>COLLATE "C"</c>, whatever the database's collation). A row whose definition no longer reads is
/// skipped and reported to <c>onUnreadableRow</c>, as the SQLite store does.
/// </remarks>
public sealed class PostgresRegistryStore : IRegistryStore
{
    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private readonly Action<UnreadableRow>? _onUnreadableRow;
    private int _disposed;

    private PostgresRegistryStore(NpgsqlDataSource source, string url, TimeProvider time, Action<UnreadableRow>? onUnreadableRow)
    {
        _source = source;
        Url = url;
        _time = time;
        _onUnreadableRow = onUnreadableRow;
    }


    /// <summary>The database, as <c>postgres://user@host:port/db</c> (no password).</summary>
    public string Url { get; }

    /// <summary>Connects to <see cref="StoreSettings.Url"/> and applies the migrations the database lacks.</summary>
    /// <param name="settings">The <c>store:</c> settings (url, password_env).</param>
    /// <param name="time">The clock of <c>created_at</c>, <c>updated_at</c> and <c>schema_migrations.applied_at</c>.</param>
    /// <param name="onUnreadableRow">Told of every row a list skips because its definition no longer reads; null to skip silently.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="InvalidOperationException">Bad settings, an unreachable database, a refused login or a newer schema (the message says which).</exception>
    public static async Task<PostgresRegistryStore> OpenAsync(StoreSettings settings, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
    {
        var (source, url) = await PostgresSource.OpenAsync(settings, time, cancellationToken);
        return new PostgresRegistryStore(source, url, time, onUnreadableRow);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TaskDefinition>> ListTasksAsync(CancellationToken cancellationToken) =>
        ListAsync<TaskDefinition>("tasks", StoredDefinitions.ReadTask, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ModelDefinition>> ListModelsAsync(CancellationToken cancellationToken) =>
        ListAsync<ModelDefinition>("models", StoredDefinitions.ReadModel, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The task would not read back (e.g. an invalid name); the message lists why.</exception>
    public Task UpsertTaskAsync(TaskDefinition task, CancellationToken cancellationToken)
    {
        var json = StoredDefinitions.Json(task);
        return UpsertAsync("tasks", task.Name, json, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The model would not read back (e.g. an invalid name); the message lists why.</exception>
    public Task UpsertModelAsync(ModelDefinition model, CancellationToken cancellationToken)
    {
        var json = StoredDefinitions.Json(model);
        return UpsertAsync("models", model.Name, json, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteTaskAsync(string name, CancellationToken cancellationToken) => DeleteAsync("tasks", name, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken) => DeleteAsync("models", name, cancellationToken);

    /// <inheritdoc/>
    public async Task<string?> GetCredentialHashAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var command = Command("SELECT hash FROM credentials WHERE name = @name;");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc/>
    public async Task SetCredentialHashAsync(string name, string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        await using var command = Command("""
            INSERT INTO credentials (name, hash, created_at) VALUES (@name, @hash, @now)
            ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at;
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("hash", hash);
        command.Parameters.AddWithValue("now", _time.GetUtcNow().ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task AddQualityAsync(ModelQuality quality, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quality);
        QualityRows.Validate(quality);
        await using var command = Command(QualityRows.Insert('@'));
        var values = QualityRows.Values(quality, quality.MeasuredAt.ToUniversalTime());
        var names = QualityRows.Columns.Split(", ");
        for (var i = 0; i < names.Length; i++)
        {
            command.Parameters.AddWithValue(names[i], values[i]);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelQuality>> ListQualityAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var command = Command(QualityRows.Select('@', "seq", model is not null));
        command.Parameters.AddWithValue("limit", limit);
        if (model is not null)
        {
            command.Parameters.AddWithValue("model", model);
        }

        var list = new List<ModelQuality>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(QualityRows.Read(reader, (r, i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i)));
        }

        return list;
    }

    /// <summary>Closes the pooled connections. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _source.DisposeAsync();
        }
    }

    private NpgsqlCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _source.CreateCommand(sql);
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string table, StoredDefinitions.ReadRow<T> read, CancellationToken cancellationToken)
        where T : class
    {
        // The table is one of two constants, never input.
        await using var command = Command($"SELECT name, definition FROM {table} ORDER BY name COLLATE \"C\";");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await StoredDefinitions.ReadAllAsync(reader, table, read, _onUnreadableRow, cancellationToken);
    }

    private async Task UpsertAsync(string table, string name, string json, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            INSERT INTO {table} (name, definition, created_at, updated_at) VALUES (@name, @definition, @now, @now)
            ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("definition", json);
        command.Parameters.AddWithValue("now", _time.GetUtcNow().ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> DeleteAsync(string table, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var command = Command($"DELETE FROM {table} WHERE name = @name;");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
