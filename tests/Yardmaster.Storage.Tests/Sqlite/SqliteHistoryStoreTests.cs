using Yardmaster.Core.History;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage.Tests.Sqlite;

/// <summary>The history contract on a SQLite file.</summary>
public sealed class SqliteHistoryStoreTests : HistoryStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string FilePath => _directory.File("data/yard.db");

    public void Dispose() => _directory.Dispose();

    protected override async Task<IHistoryStore> OpenAsync(Action<UnreadableRow>? onUnreadableRow) =>
        await SqliteHistoryStore.OpenAsync(FilePath, TimeProvider.System, onUnreadableRow, Ct);

    protected override async Task<long> RollupRowsAsync() => (long)(await SqliteTestFile.ScalarAsync(FilePath, "SELECT COUNT(*) FROM request_rollups;", Ct))!;

    protected override Task DamageLatencyAsync(long minute) =>
        SqliteTestFile.ExecuteAsync(FilePath, $"UPDATE request_rollups SET latency_ms = 'garbage' WHERE minute = {minute};", Ct);
}
