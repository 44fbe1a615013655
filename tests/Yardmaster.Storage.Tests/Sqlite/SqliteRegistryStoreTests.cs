using System.Collections.Concurrent;
using Yardmaster.Core.Registry;
using Yardmaster.Storage.Sqlite;

namespace Yardmaster.Storage.Tests.Sqlite;

public sealed class SqliteRegistryStoreTests : RegistryStoreContract, IDisposable
{
    private static readonly DateTimeOffset _start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new(_start);
    private readonly ConcurrentQueue<UnreadableRow> _unreadable = new();

    private string FilePath => _directory.File("data/yard.db");

    public void Dispose() => _directory.Dispose();

    protected override async Task<IRegistryStore> OpenAsync() => await OpenSqliteAsync();

    [Fact]
    public async Task OpenAsync_MissingFolder_CreatesFolderAndFile()
    {
        await using var store = await OpenSqliteAsync();
        Assert.True(File.Exists(FilePath));
        Assert.Equal(Path.GetFullPath(FilePath), store.Path);
    }

    [Fact]
    public async Task UpsertModelAsync_Replace_KeepsCreatedAtMovesUpdatedAt()
    {
        await using var store = await OpenSqliteAsync();
        await store.UpsertModelAsync(NewModel("m"), Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        await store.UpsertModelAsync(NewModel("m") with { Slots = 2 }, Ct);
        Assert.Equal(
            ["2025-01-02T03:04:05.0000000+00:00|2025-01-02T03:05:05.0000000+00:00"],
            await SqliteTestFile.RowsAsync(FilePath, "SELECT created_at, updated_at FROM models;", Ct));
    }

    [Fact]
    public async Task ListModelsAsync_UnreadableRows_SkippedAndReported()
    {
        await using var store = await OpenSqliteAsync();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            await store.UpsertModelAsync(NewModel(name), Ct);
        }

        await SqliteTestFile.ExecuteAsync(FilePath, """UPDATE models SET definition = '{"name":"b","slots":"four"}' WHERE name = 'b';""", Ct);
        await SqliteTestFile.ExecuteAsync(FilePath, "UPDATE models SET definition = '{' WHERE name = 'c';", Ct);
        await SqliteTestFile.ExecuteAsync(FilePath, """UPDATE models SET definition = '{"name":"x"}' WHERE name = 'd';""", Ct);

        Assert.Equal(["a"], (await store.ListModelsAsync(Ct)).Select(m => m.Name));
        var reported = _unreadable.ToArray();
        Assert.Equal(["b", "c", "d"], reported.Select(r => r.Name));
        Assert.All(reported, r => Assert.Equal("models", r.Table));
        Assert.Equal(["'slots' must be an integer >= 1, got \"four\""], reported[0].Errors);
        Assert.StartsWith("not JSON: ", Assert.Single(reported[1].Errors), StringComparison.Ordinal);
        Assert.Equal(["the definition is named 'x' but stored as 'd'"], reported[2].Errors);
    }

    [Fact]
    public async Task UpsertTaskAsync_OverUnreadableRow_Repairs()
    {
        await using var store = await OpenSqliteAsync();
        await store.UpsertTaskAsync(NewTask("chat"), Ct);
        await SqliteTestFile.ExecuteAsync(FilePath, "UPDATE tasks SET definition = 'garbage';", Ct);
        Assert.Empty(await store.ListTasksAsync(Ct));

        await store.UpsertTaskAsync(NewTask("chat"), Ct);
        Assert.Equal(["chat"], (await store.ListTasksAsync(Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task UpsertTaskAsync_DefinitionThatWouldNotReadBack_RefusedAndNothingStored()
    {
        await using var store = await OpenSqliteAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertTaskAsync(NewTask("has space"), Ct));
        Assert.StartsWith("The definition would not read back: 'name' must be 1 to 128 letters", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListTasksAsync(Ct));
    }

    [Fact]
    public async Task Calls_AfterDispose_ObjectDisposed()
    {
        var store = await OpenSqliteAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ListTasksAsync(Ct));
    }

    private Task<SqliteRegistryStore> OpenSqliteAsync() =>
        SqliteRegistryStore.OpenAsync(FilePath, _time, _unreadable.Enqueue, Ct);
}
