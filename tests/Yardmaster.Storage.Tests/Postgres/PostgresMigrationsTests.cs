using Yardmaster.Storage.Postgres;
using Yardmaster.Storage.Sqlite;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

public sealed class PostgresMigrationsTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public void All_SameVersionsAndDescriptionsAsSqlite()
    {
        Assert.Equal(SqliteMigrations.All.Select(m => (m.Version, m.Description)), PostgresMigrations.All.Select(m => (m.Version, m.Description)));
        Assert.Equal(Enumerable.Range(1, PostgresMigrations.Latest), PostgresMigrations.All.Select(m => m.Version));
    }

    [Fact]
    public async Task OpenAsync_EveryStoreAtOnceOnAFreshDatabase_EachVersionAppliedOnce()
    {
        var opening = Enumerable.Range(0, 2).SelectMany(_ => new Func<Task<IAsyncDisposable>>[]
        {
            async () => await PostgresRegistryStore.OpenAsync(Database.Settings, _time, null, Ct),
            async () => await PostgresRunStore.OpenAsync(Database.Settings, _time, null, Ct),
            async () => await PostgresHistoryStore.OpenAsync(Database.Settings, _time, null, Ct),
            async () => await PostgresClusterStore.OpenAsync(Database.Settings, _time, Ct),
        });

        foreach (var store in await Task.WhenAll(opening.Select(open => Task.Run(open, Ct))))
        {
            await store.DisposeAsync();
        }

        Assert.Equal(
            string.Join(",", Enumerable.Range(1, PostgresMigrations.Latest)),
            await Database.ScalarAsync("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations;", Ct));
        Assert.Equal(1L, await Database.ScalarAsync("SELECT COUNT(*) FROM cluster_lease;", Ct));
    }

    [Fact]
    public async Task OpenAsync_Reopen_DoesNotReapply()
    {
        await (await PostgresRegistryStore.OpenAsync(Database.Settings, _time, null, Ct)).DisposeAsync();
        _time.Advance(TimeSpan.FromHours(1));
        await (await PostgresRunStore.OpenAsync(Database.Settings, _time, null, Ct)).DisposeAsync();

        Assert.Equal(
            "2025-01-02 03:04:05",
            await Database.ScalarAsync("SELECT DISTINCT to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM schema_migrations;", Ct));
    }

    [Fact]
    public async Task OpenAsync_NewerSchema_RefusedNamingBothVersions()
    {
        await (await PostgresRegistryStore.OpenAsync(Database.Settings, _time, null, Ct)).DisposeAsync();
        var newer = PostgresMigrations.Latest + 5;
        await Database.ExecuteAsync($"INSERT INTO schema_migrations (version, applied_at) VALUES ({newer}, now());", Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresRunStore.OpenAsync(Database.Settings, _time, null, Ct));

        Assert.Equal(
            $"The store '{Database.Url}' has schema version {newer}, but this Yardmaster knows versions up to {PostgresMigrations.Latest}; run the newer Yardmaster that wrote it, or point store.url at another database.",
            error.Message);
    }
}
