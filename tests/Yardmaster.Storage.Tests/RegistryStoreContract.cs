using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Registry;

namespace Yardmaster.Storage.Tests;

/// <summary>
/// What every <see cref="IRegistryStore"/> adapter must do; each adapter's test class inherits it and says
/// how to open its store. Definitions are compared through their JSON, since records compare lists by reference.
/// </summary>
public abstract class RegistryStoreContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the store under test; every call opens the same backing store (file, database) again.</summary>
    protected abstract Task<IRegistryStore> OpenAsync();

    [Fact]
    public async Task ListAsync_NewStore_Empty()
    {
        await using var store = await OpenAsync();
        Assert.Empty(await store.ListTasksAsync(Ct));
        Assert.Empty(await store.ListModelsAsync(Ct));
    }

    [Fact]
    public async Task UpsertTaskAsync_New_ListedAsWritten()
    {
        await using var store = await OpenAsync();
        var task = NewTask("chat") with { Priority = PriorityClass.High, Ttft = TimeSpan.FromMilliseconds(500), Rate = new RateLimit(50, 60) };
        await store.UpsertTaskAsync(task, Ct);
        Assert.Equal([Json(task)], (await store.ListTasksAsync(Ct)).Select(Json));
    }

    [Fact]
    public async Task ListAsync_FromConfigDefinitions_KeepTheirOrigin()
    {
        await using var store = await OpenAsync();
        await store.UpsertTaskAsync(NewTask("from-file") with { FromConfig = true }, Ct);
        await store.UpsertTaskAsync(NewTask("from-api"), Ct);
        await store.UpsertModelAsync(new ModelDefinition { Name = "m", Path = "m.gguf", FromConfig = true }, Ct);
        Assert.Equal([("from-api", false), ("from-file", true)], (await store.ListTasksAsync(Ct)).Select(t => (t.Name, t.FromConfig)));
        Assert.True(Assert.Single(await store.ListModelsAsync(Ct)).FromConfig);
    }

    [Fact]
    public async Task UpsertTaskAsync_SameName_Replaces()
    {
        await using var store = await OpenAsync();
        await store.UpsertTaskAsync(NewTask("chat"), Ct);
        var changed = NewTask("chat") with { Models = ["other"], Weight = 3 };
        await store.UpsertTaskAsync(changed, Ct);
        Assert.Equal([Json(changed)], (await store.ListTasksAsync(Ct)).Select(Json));
    }

    [Fact]
    public async Task UpsertModelAsync_SameName_Replaces()
    {
        await using var store = await OpenAsync();
        await store.UpsertModelAsync(NewModel("stories"), Ct);
        var changed = NewModel("stories") with { Slots = 8, KeepAlive = null, Memory = 64L << 20 };
        await store.UpsertModelAsync(changed, Ct);
        Assert.Equal([Json(changed)], (await store.ListModelsAsync(Ct)).Select(Json));
    }

    [Fact]
    public async Task ListAsync_SeveralNames_OrderedByNameOrdinal()
    {
        await using var store = await OpenAsync();
        foreach (var name in new[] { "b", "a-2", "C", "a" })
        {
            await store.UpsertTaskAsync(NewTask(name), Ct);
            await store.UpsertModelAsync(NewModel(name), Ct);
        }

        Assert.Equal(["C", "a", "a-2", "b"], (await store.ListTasksAsync(Ct)).Select(t => t.Name));
        Assert.Equal(["C", "a", "a-2", "b"], (await store.ListModelsAsync(Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task DeleteTaskAsync_Existing_TrueAndGone()
    {
        await using var store = await OpenAsync();
        await store.UpsertTaskAsync(NewTask("a"), Ct);
        await store.UpsertTaskAsync(NewTask("b"), Ct);
        Assert.True(await store.DeleteTaskAsync("a", Ct));
        Assert.Equal(["b"], (await store.ListTasksAsync(Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task DeleteModelAsync_Existing_TrueAndGone()
    {
        await using var store = await OpenAsync();
        await store.UpsertModelAsync(NewModel("a"), Ct);
        await store.UpsertModelAsync(NewModel("b"), Ct);
        Assert.True(await store.DeleteModelAsync("b", Ct));
        Assert.Equal(["a"], (await store.ListModelsAsync(Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task DeleteAsync_MissingName_False()
    {
        await using var store = await OpenAsync();
        await store.UpsertTaskAsync(NewTask("a"), Ct);
        Assert.False(await store.DeleteTaskAsync("nope", Ct));
        Assert.False(await store.DeleteModelAsync("a", Ct));
        Assert.True(await store.DeleteTaskAsync("a", Ct));
        Assert.False(await store.DeleteTaskAsync("a", Ct));
    }

    [Fact]
    public async Task TasksAndModels_SameName_KeptApart()
    {
        await using var store = await OpenAsync();
        await store.UpsertTaskAsync(NewTask("stories"), Ct);
        await store.UpsertModelAsync(NewModel("stories"), Ct);
        Assert.True(await store.DeleteTaskAsync("stories", Ct));
        Assert.Empty(await store.ListTasksAsync(Ct));
        Assert.Equal(["stories"], (await store.ListModelsAsync(Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task Definitions_Reopened_Survive()
    {
        var task = NewTask("chat") with { Latency = TimeSpan.FromSeconds(10), MaxConcurrency = 16 };
        var model = NewModel("remote") with { Backend = BackendKind.Http, Url = new Uri("http://127.0.0.1:9000/v1"), ApiKeyEnv = "KEY" };
        await using (var store = await OpenAsync())
        {
            await store.UpsertTaskAsync(task, Ct);
            await store.UpsertModelAsync(model, Ct);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([Json(task)], (await reopened.ListTasksAsync(Ct)).Select(Json));
        Assert.Equal([Json(model)], (await reopened.ListModelsAsync(Ct)).Select(Json));
    }

    [Fact]
    public async Task UpsertAsync_ManyAtOnce_AllKept()
    {
        await using var store = await OpenAsync();
        var names = Enumerable.Range(0, 32).Select(i => $"m{i:D2}").ToArray();
        await Task.WhenAll(names.Select(n => store.UpsertModelAsync(NewModel(n), Ct)));
        Assert.Equal(names, (await store.ListModelsAsync(Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task CredentialHash_SetThenReopened_ReadBackAndReplaced()
    {
        await using (var store = await OpenAsync())
        {
            Assert.Null(await store.GetCredentialHashAsync("admin-token", Ct));
            await store.SetCredentialHashAsync("admin-token", "aa11", Ct);
            await store.SetCredentialHashAsync("admin-token", "bb22", Ct);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal("bb22", await reopened.GetCredentialHashAsync("admin-token", Ct));
        Assert.Null(await reopened.GetCredentialHashAsync("other", Ct));
    }

    [Fact]
    public async Task UpsertTaskAsync_QualityFloor_ListedAsWritten()
    {
        await using var store = await OpenAsync();
        var task = NewTask("triage") with { Quality = new QualityFloor("triage-v1", 0.8) };
        await store.UpsertTaskAsync(task, Ct);
        var listed = Assert.Single(await store.ListTasksAsync(Ct));
        Assert.Equal(new QualityFloor("triage-v1", 0.8), listed.Quality);
    }

    [Fact]
    public async Task AddQualityAsync_ThenReopened_ModelsHistoryNewestFirstWithEveryField()
    {
        var at = new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);
        var first = new ModelQuality("small", "triage-v1", 0.7, 100, 0.6, 0.78, "data/triage.jsonl", at, "run r-1 step eval");
        var second = first with { Score = 0.75, Low = 0.66, High = 0.82, MeasuredAt = at.AddDays(1), Source = "api" };
        await using (var store = await OpenAsync())
        {
            await store.AddQualityAsync(first, Ct);
            await store.AddQualityAsync(second, Ct);
            await store.AddQualityAsync(first with { Model = "medium" }, Ct);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([second, first], await reopened.ListQualityAsync("small", 10, Ct));
        Assert.Equal([second], await reopened.ListQualityAsync("small", 1, Ct));
        Assert.Empty(await reopened.ListQualityAsync("absent", 10, Ct));
    }

    [Fact]
    public async Task ListQualityAsync_AllModels_LatestPerModelAndMetric()
    {
        var at = new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);
        var q = new ModelQuality("small", "triage-v1", 0.5, 10, 0.2, 0.8, "d", at, "api");
        await using var store = await OpenAsync();
        await store.AddQualityAsync(q, Ct);
        await store.AddQualityAsync(q with { Score = 0.6 }, Ct);
        await store.AddQualityAsync(q with { Metric = "summaries", Score = 0.4 }, Ct);
        await store.AddQualityAsync(q with { Model = "big", Score = 0.7 }, Ct);
        var latest = await store.ListQualityAsync(null, 100, Ct);
        Assert.Equal([("big", "triage-v1", 0.7), ("small", "summaries", 0.4), ("small", "triage-v1", 0.6)],
            latest.Select(x => (x.Model, x.Metric, x.Score)).Order());
    }

    [Fact]
    public async Task AddQualityAsync_ScoreOutsideItsInterval_RefusedAndNothingWritten()
    {
        var q = new ModelQuality("small", "triage-v1", 0.9, 10, 0.2, 0.8, "d", DateTimeOffset.UnixEpoch, "api");
        await using var store = await OpenAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AddQualityAsync(q, Ct));
        Assert.Contains("quality.high", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddQualityAsync(q with { High = 1, Count = 0 }, Ct));
        Assert.Empty(await store.ListQualityAsync(null, 10, Ct));
    }

    protected static TaskDefinition NewTask(string name) => new() { Name = name, Models = ["stories"] };

    protected static ModelDefinition NewModel(string name) => new() { Name = name, Path = "stories260K.gguf" };

    protected static string Json(TaskDefinition task) => DefinitionJson.ToJson(task);

    protected static string Json(ModelDefinition model) => DefinitionJson.ToJson(model);
}
