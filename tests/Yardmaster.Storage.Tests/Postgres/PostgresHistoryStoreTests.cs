using Yardmaster.Core.History;
using Yardmaster.Storage.Postgres;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

/// <summary>The history contract against the real PostgreSQL of scripts/postgres-test-env.sh, each test on its own new database.</summary>
public sealed class PostgresHistoryStoreTests : HistoryStoreContract, IAsyncLifetime
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

    protected override async Task<IHistoryStore> OpenAsync(Action<UnreadableRow>? onUnreadableRow) =>
        await PostgresHistoryStore.OpenAsync(Database.Settings, TimeProvider.System, onUnreadableRow, Ct);

    protected override async Task<long> RollupRowsAsync() => (long)(await Database.ScalarAsync("SELECT COUNT(*) FROM request_rollups;", Ct))!;

    protected override Task DamageLatencyAsync(long minute) =>
        Database.ExecuteAsync($"UPDATE request_rollups SET latency_ms = 'garbage' WHERE minute = {minute};", Ct);

    [Fact]
    public async Task WriteAsync_TwoInstancesAddToOneMinuteAtOnce_EveryRequestCounted()
    {
        await using var first = await OpenAsync(null);
        await using var second = await OpenAsync(null);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? first : second).WriteAsync(Batch([Row(T0.AddSeconds(i), Completed(10 + i, $"r{i}"))]), Ct)));

        var row = Assert.Single(await first.ReadRollupsAsync(T0, T0.AddMinutes(1), Ct));
        Assert.Equal((20L, 20L), (row.Totals.Count, row.Totals.Latency.Count));
        Assert.Equal(1L, await RollupRowsAsync());
    }

    [Fact]
    public async Task CompactAsync_TwoInstancesAtOnce_MinutesMergedOnce()
    {
        await using var first = await OpenAsync(null);
        await using var second = await OpenAsync(null);
        await first.WriteAsync(Batch([.. Enumerable.Range(0, 60).Select(m => Row(T0.AddMinutes(m), Completed(10 + m)))]), Ct);

        var removed = await Task.WhenAll(first.CompactAsync(T0.AddHours(1), Ct), second.CompactAsync(T0.AddHours(1), Ct));

        Assert.Equal(59L, removed.Sum());
        var hour = Assert.Single(await first.ReadRollupsAsync(T0, T0.AddHours(1), Ct));
        Assert.Equal(60L, hour.Totals.Count);
    }
}
