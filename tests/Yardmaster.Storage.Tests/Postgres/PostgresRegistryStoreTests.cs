using System.Collections.Concurrent;
using Yardmaster.Core.Registry;
using Yardmaster.Storage.Postgres;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

/// <summary>The registry contract against the real PostgreSQL of scripts/postgres-test-env.sh, each test on its own new database.</summary>
public sealed class PostgresRegistryStoreTests : RegistryStoreContract, IAsyncLifetime
{
    private static readonly DateTimeOffset _start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(_start);
    private readonly ConcurrentQueue<UnreadableRow> _unreadable = new();
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

    protected override async Task<IRegistryStore> OpenAsync() => await OpenPostgresAsync();

    [Fact]
    public async Task UpsertModelAsync_Replace_KeepsCreatedAtMovesUpdatedAt()
    {
        await using var store = await OpenPostgresAsync();
        await store.UpsertModelAsync(NewModel("m"), Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        await store.UpsertModelAsync(NewModel("m") with { Slots = 2 }, Ct);
        Assert.Equal(
            "2025-01-02T03:04:05Z|2025-01-02T03:05:05Z",
            await Database.ScalarAsync("""SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '|' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM models;""", Ct));
    }

    [Fact]
    public async Task ListModelsAsync_UnreadableRows_SkippedAndReported()
    {
        await using var store = await OpenPostgresAsync();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            await store.UpsertModelAsync(NewModel(name), Ct);
        }

        await Database.ExecuteAsync("""UPDATE models SET definition = '{"name":"b","slots":"four"}' WHERE name = 'b';""", Ct);
        await Database.ExecuteAsync("UPDATE models SET definition = '{' WHERE name = 'c';", Ct);
        await Database.ExecuteAsync("""UPDATE models SET definition = '{"name":"x"}' WHERE name = 'd';""", Ct);

        Assert.Equal(["a"], (await store.ListModelsAsync(Ct)).Select(m => m.Name));
        var reported = _unreadable.ToArray();
        Assert.Equal(["b", "c", "d"], reported.Select(r => r.Name));
        Assert.All(reported, r => Assert.Equal("models", r.Table));
        Assert.Equal(["'slots' must be an integer >= 1, got \"four\""], reported[0].Errors);
        Assert.StartsWith("not JSON: ", Assert.Single(reported[1].Errors), StringComparison.Ordinal);
        Assert.Equal(["the definition is named 'x' but stored as 'd'"], reported[2].Errors);
    }

    [Fact]
    public async Task UpsertTaskAsync_DefinitionThatWouldNotReadBack_RefusedAndNothingStored()
    {
        await using var store = await OpenPostgresAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertTaskAsync(NewTask("has space"), Ct));
        Assert.StartsWith("The definition would not read back: 'name' must be 1 to 128 letters", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListTasksAsync(Ct));
    }

    [Fact]
    public async Task TwoInstances_OneWritesTheOtherLists_SeesIt()
    {
        await using var first = await OpenPostgresAsync();
        await using var second = await OpenPostgresAsync();
        await first.UpsertTaskAsync(NewTask("shared"), Ct);
        await first.SetCredentialHashAsync("admin-token", "cc33", Ct);
        Assert.Equal(["shared"], (await second.ListTasksAsync(Ct)).Select(t => t.Name));
        Assert.Equal("cc33", await second.GetCredentialHashAsync("admin-token", Ct));
    }

    [Fact]
    public async Task Calls_AfterDispose_ObjectDisposed()
    {
        var store = await OpenPostgresAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ListTasksAsync(Ct));
    }

    private Task<PostgresRegistryStore> OpenPostgresAsync() => PostgresRegistryStore.OpenAsync(Database.Settings, _time, _unreadable.Enqueue, Ct);
}
