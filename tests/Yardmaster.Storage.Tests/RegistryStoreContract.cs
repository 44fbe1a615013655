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

    protected static TaskDefinition NewTask(string name) => new() { Name = name, Models = ["stories"] };

    protected static ModelDefinition NewModel(string name) => new() { Name = name, Path = "stories260K.gguf" };

    protected static string Json(TaskDefinition task) => DefinitionJson.ToJson(task);

    protected static string Json(ModelDefinition model) => DefinitionJson.ToJson(model);
}
