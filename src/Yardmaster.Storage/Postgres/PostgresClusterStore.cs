using Npgsql;
using Yardmaster.Core.Cluster;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// Heartbeats (table <c>cluster_instances</c>) and the scheduler's lease (the one row of <c>cluster_lease</c>) in
/// PostgreSQL. Every time is the database's <c>now()</c>, so the instances' own clocks do not matter. Taking, renewing and
/// resigning are each one <c>UPDATE</c> of the lease row, which PostgreSQL serializes: of two instances trying at once,
/// one takes it and the other sees it taken. The epoch grows by one when the holder changes (a take after expiry or after
/// a resignation), never on a renewal.
/// </summary>
/// <remarks>Thread-safe: every call takes its own pooled connection.</remarks>
public sealed class PostgresClusterStore : IClusterStore
{
    private const string LeaseColumns = "holder_id, holder_url, epoch, expires_at";

    private readonly NpgsqlDataSource _source;
    private int _disposed;

    private PostgresClusterStore(NpgsqlDataSource source, string url)
    {
        _source = source;
        Url = url;
    }

    /// <summary>The database, as <c>postgres://user@host:port/db</c> (no password).</summary>
    public string Url { get; }

    /// <summary>Connects to <see cref="StoreSettings.Url"/> and applies the migrations the database lacks.</summary>
    /// <exception cref="InvalidOperationException">Bad settings, an unreachable database, a refused login or a newer schema.</exception>
    public static async Task<PostgresClusterStore> OpenAsync(StoreSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var (source, url) = await PostgresSource.OpenAsync(settings, time, cancellationToken);
        return new PostgresClusterStore(source, url);
    }

    /// <inheritdoc/>
    public async Task HeartbeatAsync(string instanceId, string url, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentNullException.ThrowIfNull(url);
        await using var command = Command("""
            INSERT INTO cluster_instances (id, url, last_seen) VALUES (@id, @url, now())
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, last_seen = excluded.last_seen;
            """);
        command.Parameters.AddWithValue("id", instanceId);
        command.Parameters.AddWithValue("url", url);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ClusterInstance>> InstancesAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT id, url, last_seen FROM cluster_instances WHERE last_seen >= now() - @within ORDER BY id COLLATE \"C\";");
        command.Parameters.AddWithValue("within", within);
        var instances = new List<ClusterInstance>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            instances.Add(new ClusterInstance(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return instances;
    }

    /// <inheritdoc/>
    public async Task<LeaderLease> TryLeadAsync(string instanceId, string url, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        // A holder that resigns between the failed take and the read leaves nobody: try again (rarely more than once).
        while (true)
        {
            await using (var take = Command($"""
                UPDATE cluster_lease SET
                    epoch = CASE WHEN holder_id IS NOT DISTINCT FROM @id THEN epoch ELSE epoch + 1 END,
                    holder_id = @id, holder_url = @url, expires_at = now() + @lease
                WHERE id = 1 AND (holder_id = @id OR holder_id IS NULL OR expires_at <= now())
                RETURNING {LeaseColumns};
                """))
            {
                take.Parameters.AddWithValue("id", instanceId);
                take.Parameters.AddWithValue("url", url);
                take.Parameters.AddWithValue("lease", lease);
                if (await ReadLeaseAsync(take, cancellationToken) is { } taken)
                {
                    return taken;
                }
            }

            if (await LeaderAsync(cancellationToken) is { } held)
            {
                return held;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <inheritdoc/>
    public async Task<LeaderLease?> LeaderAsync(CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT {LeaseColumns} FROM cluster_lease WHERE id = 1 AND holder_id IS NOT NULL AND expires_at > now();");
        return await ReadLeaseAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task ResignAsync(string instanceId, long epoch, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        // Nobody holds it after this, so whoever takes it next (this instance included) does so at a new epoch.
        await using var command = Command("UPDATE cluster_lease SET holder_id = NULL, holder_url = NULL, expires_at = now() WHERE id = 1 AND holder_id = @id AND epoch = @epoch;");
        command.Parameters.AddWithValue("id", instanceId);
        command.Parameters.AddWithValue("epoch", epoch);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Closes the pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _source.DisposeAsync();
        }
    }

    private static async Task<LeaderLease?> ReadLeaseAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LeaderLease(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    private NpgsqlCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _source.CreateCommand(sql);
    }
}
