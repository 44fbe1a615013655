using Yardmaster.Core.Runs;
using Yardmaster.Storage.Postgres;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

/// <summary>The run-store contract against the real PostgreSQL of scripts/postgres-test-env.sh, each test on its own new database.</summary>
public sealed class PostgresRunStoreTests : RunStoreContract, IAsyncLifetime
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override async Task<IRunStore> OpenAsync() => await PostgresRunStore.OpenAsync(Database.Settings, TimeProvider.System, fence: null, Ct);

    [Fact]
    public async Task NextRunIdAsync_FreshDatabase_StartsAtR1LikeSqlite()
    {
        await using var store = await OpenAsync();
        Assert.Equal(["r1", "r2"], [await store.NextRunIdAsync(Ct), await store.NextRunIdAsync(Ct)]);
    }

    [Fact]
    public async Task NextRunIdAsync_TwoInstancesAtOnce_NeverTheSameId()
    {
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? first : second).NextRunIdAsync(Ct)));
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public async Task WriteAsync_DatabaseGone_StoreWriteExceptionNamingTheUrl()
    {
        await using var store = await OpenAsync();
        await Database.DisposeAsync(); // drops the database under the open store
        var batch = new RunStoreBatch();
        batch.Durations.Add(("p", "a", 1));
        var error = await Assert.ThrowsAsync<StoreWriteException>(() => store.WriteAsync(batch, Ct));
        Assert.StartsWith($"the store could not write at {Database.Url}: ", error.Message, StringComparison.Ordinal);
    }
}
