using Yardmaster.Core.Runs;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage.Tests.Sqlite;

public sealed class SqliteRunStoreTests : RunStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string FilePath => _directory.File("data/yard.db");

    public void Dispose() => _directory.Dispose();

    protected override async Task<IRunStore> OpenAsync() => await SqliteRunStore.OpenAsync(FilePath, TimeProvider.System, Ct);

    [Fact]
    public async Task OpenAsync_SameFileAsTheRegistry_BothWorkOnOneSchema()
    {
        await using var registry = await SqliteRegistryStore.OpenAsync(FilePath, TimeProvider.System, Ct);
        await using var runs = await SqliteRunStore.OpenAsync(FilePath, TimeProvider.System, Ct);
        Assert.Equal("r1", await runs.NextRunIdAsync(Ct));
        Assert.Empty(await registry.ListTasksAsync(Ct));
        Assert.Equal((long)SqliteMigrations.Latest, await SqliteTestFile.ScalarAsync(FilePath, "SELECT MAX(version) FROM schema_migrations;", Ct));
        Assert.Equal("wal", await SqliteTestFile.ScalarAsync(FilePath, "PRAGMA journal_mode;", Ct));
    }
}
