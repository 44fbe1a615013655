using System.Globalization;
using Npgsql;
using Yardmaster.Core.Cluster;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// Runs, steps, attempts and transitions in PostgreSQL. A batch is one transaction, its rows sent in one round trip. With a
/// <see cref="LeaseFence"/>, every write transaction first checks, holding a share lock on the lease row (so a takeover
/// waits for it to end), that the fence's instance still holds the scheduler's lease at its epoch and that the lease has
/// not expired by the database's clock; else it writes nothing and throws <see cref="StoreFencedException"/>.
/// </summary>
/// <remarks>Thread-safe: every call takes its own pooled connection. Run ids come from the sequence <c>run_ids</c>.</remarks>
public sealed partial class PostgresRunStore : IRunStore
{
    private const string FenceSql = "SELECT 1 FROM cluster_lease WHERE id = 1 AND holder_id = @holder AND epoch = @epoch AND expires_at > now() FOR SHARE;";

    private readonly NpgsqlDataSource _source;
    private readonly LeaseFence? _fence;
    private int _disposed;

    private PostgresRunStore(NpgsqlDataSource source, string url, LeaseFence? fence)
    {
        _source = source;
        Url = url;
        _fence = fence;
    }

    /// <summary>The database, as <c>postgres://user@host:port/db</c> (no password).</summary>
    public string Url { get; }

    /// <summary>The fence every write checks; null when writes are not fenced.</summary>
    public LeaseFence? Fence => _fence;

    /// <summary>Connects to <see cref="StoreSettings.Url"/> and applies the migrations the database lacks.</summary>
    /// <param name="settings">The <c>store:</c> settings.</param>
    /// <param name="time">For the migrations' timestamps.</param>
    /// <param name="fence">The leader's lease every write must still hold; null for unfenced writes (a single instance, tools).</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="InvalidOperationException">Bad settings, an unreachable database, a refused login or a newer schema.</exception>
    public static async Task<PostgresRunStore> OpenAsync(StoreSettings settings, TimeProvider time, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var (source, url) = await PostgresSource.OpenAsync(settings, time, cancellationToken);
        return new PostgresRunStore(source, url, fence);
    }

    /// <inheritdoc/>
    public async Task<string> NextRunIdAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = Command("SELECT nextval('run_ids');");
            var id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            return "r" + id.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (PostgresSource.IsWriteFailure(e))
        {
            throw PostgresSource.WriteFailed(e, Url);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="StoreFencedException">The store is fenced and its instance no longer holds the lease at its epoch; nothing was written.</exception>
    /// <exception cref="StoreWriteException">The database could not be reached or could not write (a full disk); nothing was written.</exception>
    public async Task WriteAsync(RunStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            if (_fence is null)
            {
                // Unfenced, the batch is its own transaction: PostgreSQL runs the statements up to one Sync as one implicit
                // transaction (all or nothing), so the write costs one round trip instead of three.
                await using var single = _source.CreateBatch();
                PostgresBatch.Add(single, batch);
                await single.ExecuteNonQueryAsync(cancellationToken);
                return;
            }

            await using var connection = await _source.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CheckFenceAsync(connection, transaction, cancellationToken);
            await using var statements = new NpgsqlBatch(connection, transaction);
            PostgresBatch.Add(statements, batch);
            await statements.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (PostgresSource.IsWriteFailure(e))
        {
            throw PostgresSource.WriteFailed(e, Url);
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

    private async Task CheckFenceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (_fence is not { } fence)
        {
            return;
        }

        await using var command = new NpgsqlCommand(FenceSql, connection, transaction);
        command.Parameters.AddWithValue("holder", fence.HolderId);
        command.Parameters.AddWithValue("epoch", fence.Epoch);
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw StoreFencedException.For(fence);
        }
    }

    private NpgsqlCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _source.CreateCommand(sql);
    }
}
