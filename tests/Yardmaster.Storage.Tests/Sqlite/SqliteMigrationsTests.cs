using System.Globalization;
using Microsoft.Data.Sqlite;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage.Tests.Sqlite;

public sealed class SqliteMigrationsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.File("yard.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task OpenAsync_FreshFile_EveryVersionAppliedOnce()
    {
        await (await OpenAsync()).DisposeAsync();
        var expected = SqliteMigrations.All.Select(m => $"{m.Version.ToString(CultureInfo.InvariantCulture)}|2025-01-02T03:04:05.0000000+00:00");
        Assert.Equal(expected, await SqliteTestFile.RowsAsync(FilePath, "SELECT version, applied_at FROM schema_migrations ORDER BY version;", Ct));
        Assert.Equal(SqliteMigrations.Latest, SqliteMigrations.All.Count);
    }

    [Fact]
    public async Task OpenAsync_Reopen_DoesNotReapply()
    {
        await (await OpenAsync()).DisposeAsync();
        var before = await SqliteTestFile.RowsAsync(FilePath, "SELECT version, applied_at FROM schema_migrations ORDER BY version;", Ct);
        _time.Advance(TimeSpan.FromHours(1));
        await (await OpenAsync()).DisposeAsync();
        Assert.Equal(before, await SqliteTestFile.RowsAsync(FilePath, "SELECT version, applied_at FROM schema_migrations ORDER BY version;", Ct));
    }

    [Fact]
    public async Task OpenAsync_SeveralAtOnceOnAFreshFile_EachVersionOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        Assert.Equal((long)SqliteMigrations.Latest, await SqliteTestFile.ScalarAsync(FilePath, "SELECT COUNT(*) FROM schema_migrations;", Ct));
    }

    [Fact]
    public async Task OpenAsync_Any_JournalModeIsWal()
    {
        await using var store = await OpenAsync();
        Assert.Equal("wal", await SqliteTestFile.ScalarAsync(FilePath, "PRAGMA journal_mode;", Ct));
    }

    [Fact]
    public async Task OpenAsync_NewerSchema_RefusedNamingBothVersions()
    {
        await (await OpenAsync()).DisposeAsync();
        var newer = SqliteMigrations.Latest + 5;
        await SqliteTestFile.ExecuteAsync(FilePath, $"INSERT INTO schema_migrations (version, applied_at) VALUES ({newer}, 'later');", Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(OpenAsync);
        Assert.Equal(
            $"The store '{Path.GetFullPath(FilePath)}' has schema version {newer}, but this Yardmaster knows versions up to {SqliteMigrations.Latest}; run the newer Yardmaster that wrote it, or point store.path at another file.",
            error.Message);
    }

    [Fact]
    public async Task OpenAsync_NotADatabase_SqliteError()
    {
        await File.WriteAllTextAsync(FilePath, "this is not a database, but it is long enough to look like a header of one", Ct);
        await Assert.ThrowsAsync<SqliteException>(OpenAsync);
    }

    [Fact]
    public async Task OpenAsync_FileAtVersion5WithARun_Version6AddsOutputsAndItemsKeepingTheRows()
    {
        var upTo5 = string.Concat(SqliteMigrations.All.Where(m => m.Version <= 5).Select(m => m.Sql));
        await using (var create = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString()))
        {
            await create.OpenAsync(Ct); // makes the file
        }

        await SqliteTestFile.ExecuteAsync(FilePath, "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;" + upTo5 + """
            INSERT INTO schema_migrations VALUES (1, 'x'), (2, 'x'), (3, 'x'), (4, 'x'), (5, 'x');
            INSERT INTO runs VALUES ('r1', 'p', 'normal', 'running', 'name: p', 'p.yaml', '/tmp/r1', '2025-01-01T00:00:00.0000000+00:00', NULL, NULL, 1);
            INSERT INTO steps VALUES ('r1', 'a', 0, 'succeeded', 1, 0, NULL, NULL, NULL, 'exit 0');
            INSERT INTO attempts VALUES ('r1', 'a', 1, 'succeeded', 'process', 'local', '', NULL, '/tmp/a.1.log', '2025-01-01T00:00:00.0000000+00:00', NULL, 0, 'exit 0');
            """, Ct);

        await using (var runs = await SqliteRunStore.OpenAsync(FilePath, _time, Ct))
        {
            var detail = (await runs.GetRunAsync("r1", Ct))!;
            var step = Assert.Single(detail.Steps);
            Assert.Equal(("exit 0", (string?)null, (int?)null), (step.Reason!, step.Result, step.Items));
            var attempt = Assert.Single(detail.Attempts);
            Assert.Equal(((int?)null, (string?)null), (attempt.Item, attempt.Result));
        }

        Assert.Equal((long)SqliteMigrations.Latest, await SqliteTestFile.ScalarAsync(FilePath, "SELECT MAX(version) FROM schema_migrations;", Ct)); // 6 and every later step
    }

    private Task<SqliteRegistryStore> OpenAsync() => SqliteRegistryStore.OpenAsync(FilePath, _time, Ct);
}
