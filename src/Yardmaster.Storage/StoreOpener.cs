using Yardmaster.Core.Cluster;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Registry;
using Yardmaster.Core.Runs;
using Yardmaster.Storage.Postgres;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage;

/// <summary>
/// The one place the server and the CLI open stores: <c>store.url</c> set means PostgreSQL (<see cref="PostgresUrl"/>),
/// else the SQLite file <c>store.path</c> or, without one, the <c>defaultSqlitePath</c> each method is given (the data
/// folder's <c>yard.db</c>). Every open applies the migrations the store lacks.
/// </summary>
public static class StoreOpener
{
    /// <summary>Where <paramref name="settings"/> point: the SQLite file's full path or the database's URL.</summary>
    public static string Location(StoreSettings settings, string defaultSqlitePath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.IsPostgres
            ? PostgresUrl.TryParse(settings.Url, out var url, out _) ? url!.ToString() : "postgres://(invalid store.url)"
            : Path.GetFullPath(SqlitePath(settings, defaultSqlitePath));
    }

    /// <summary>Opens every store: registry, runs (unfenced), history and, on PostgreSQL, the cluster store.</summary>
    /// <param name="settings">The <c>store:</c> section.</param>
    /// <param name="defaultSqlitePath">The SQLite file when <c>store.path</c> and <c>store.url</c> are unset.</param>
    /// <param name="time">The stores' clock (timestamps of rows and migrations).</param>
    /// <param name="onUnreadableRow">Told of stored rows (definitions, rollups) that no longer read; null to ignore.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="InvalidOperationException">Bad settings, an unreachable database, a refused login, or a schema newer than this code.</exception>
    public static async Task<YardStores> OpenAsync(StoreSettings settings, string defaultSqlitePath, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken)
    {
        var opened = new List<IAsyncDisposable>();
        try
        {
            var registry = await OpenRegistryAsync(settings, defaultSqlitePath, time, onUnreadableRow, cancellationToken);
            opened.Add(registry);
            var runs = await OpenRunsAsync(settings, defaultSqlitePath, time, fence: null, cancellationToken);
            opened.Add(runs);
            var history = await OpenHistoryAsync(settings, defaultSqlitePath, time, onUnreadableRow, cancellationToken);
            opened.Add(history);
            var cluster = await OpenClusterAsync(settings, time, cancellationToken);
            return new YardStores(Location(settings, defaultSqlitePath), registry, runs, history, cluster);
        }
        catch
        {
            foreach (var store in opened)
            {
                await store.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Opens the registry (tasks, models, credential hashes).</summary>
    /// <inheritdoc cref="OpenAsync" path="/param|/exception"/>
    public static async Task<IRegistryStore> OpenRegistryAsync(StoreSettings settings, string defaultSqlitePath, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken) =>
        settings.IsPostgres
            ? await PostgresRegistryStore.OpenAsync(settings, time, onUnreadableRow, cancellationToken)
            : await SqliteRegistryStore.OpenAsync(SqlitePath(settings, defaultSqlitePath), time, onUnreadableRow, cancellationToken);

    /// <summary>
    /// Opens the run store. With <paramref name="fence"/> (PostgreSQL only), every write first checks that the fence's
    /// instance still holds the scheduler's lease at its epoch (<see cref="StoreFencedException"/> otherwise).
    /// </summary>
    /// <exception cref="ArgumentException">A fence for a SQLite store (one instance alone uses it: nothing to fence against).</exception>
    /// <inheritdoc cref="OpenAsync" path="/param|/exception"/>
    public static async Task<IRunStore> OpenRunsAsync(StoreSettings settings, string defaultSqlitePath, TimeProvider time, LeaseFence? fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.IsPostgres)
        {
            return await PostgresRunStore.OpenAsync(settings, time, fence, cancellationToken);
        }

        return fence is null
            ? await SqliteRunStore.OpenAsync(SqlitePath(settings, defaultSqlitePath), time, cancellationToken)
            : throw new ArgumentException("a SQLite store is not shared, so its writes are not fenced; give no fence", nameof(fence));
    }

    /// <summary>Opens the history (rollups, request log, model events, usage samples).</summary>
    /// <inheritdoc cref="OpenAsync" path="/param|/exception"/>
    public static async Task<IHistoryStore> OpenHistoryAsync(StoreSettings settings, string defaultSqlitePath, TimeProvider time, Action<UnreadableRow>? onUnreadableRow, CancellationToken cancellationToken) =>
        settings.IsPostgres
            ? await PostgresHistoryStore.OpenAsync(settings, time, onUnreadableRow, cancellationToken)
            : await SqliteHistoryStore.OpenAsync(SqlitePath(settings, defaultSqlitePath), time, onUnreadableRow, cancellationToken);

    /// <summary>Opens the cluster store (heartbeats, the leader lease) on PostgreSQL; null on SQLite, which one instance alone uses.</summary>
    /// <inheritdoc cref="OpenAsync" path="/param|/exception"/>
    public static async Task<IClusterStore?> OpenClusterAsync(StoreSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.IsPostgres ? await PostgresClusterStore.OpenAsync(settings, time, cancellationToken) : null;
    }

    private static string SqlitePath(StoreSettings settings, string defaultSqlitePath) => settings.Path ?? defaultSqlitePath;
}
