using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Registry;
using Yardmaster.Inference.Catalog;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Runtime.Paths;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The tasks and models the gateway serves: the config file's, and those created through <c>/api</c>,
/// kept in the store. Reads are lock-free on an immutable snapshot; changes are serialized, written to the
/// store first, then published and handed to the scheduler.
/// </summary>
internal sealed class ServingRegistry : IDisposable
{
    private readonly IRegistryStore _store;
    private readonly ServingScheduler _scheduler;
    private readonly DeviceSettings _devices;
    private readonly IReadOnlyList<string> _modelDirs;
    /// <summary>Latest scores (one per model and metric) handed to the scheduler.</summary>
    private const int MaxLatestQuality = 100_000;

    private readonly SemaphoreSlim _writes = new(1, 1);
    private volatile RegistrySnapshot _current = new(new Dictionary<string, TaskDefinition>(), new Dictionary<string, ModelDefinition>());

    private ServingRegistry(IRegistryStore store, ServingScheduler scheduler, DeviceSettings devices, IReadOnlyList<string> modelDirs)
    {
        _store = store;
        _scheduler = scheduler;
        _devices = devices;
        _modelDirs = modelDirs;
    }

    public RegistrySnapshot Current => _current;

    public void Dispose() => _writes.Dispose();

    /// <summary>
    /// Makes the store agree with the config file (its entries replace stored ones of the same name; stored
    /// entries that came from an earlier version of the file and are gone from it are removed; entries made
    /// through the API stay), then publishes the result.
    /// </summary>
    public static async Task<ServingRegistry> OpenAsync(YardConfig config, IRegistryStore store, ServingScheduler scheduler, CancellationToken cancellationToken)
    {
        // Models made through the API name files only in the model cache and the folders the operator listed.
        var registry = new ServingRegistry(store, scheduler, config.Devices, [ModelCache.FromEnvironment().Directory, .. config.Server.ModelDirs]);
        var fileModels = config.Models.Select(m => m with { FromConfig = true }).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var fileTasks = config.Tasks.Select(t => t with { FromConfig = true }).ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var stale in (await store.ListTasksAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.FromConfig && !fileTasks.ContainsKey(t.Name)))
        {
            await store.DeleteTaskAsync(stale.Name, cancellationToken).ConfigureAwait(false);
        }

        foreach (var stale in (await store.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Where(m => (m.FromConfig && !fileModels.ContainsKey(m.Name)) || (m.Backend.RunsCommand() && !m.FromConfig)))
        {
            await store.DeleteModelAsync(stale.Name, cancellationToken).ConfigureAwait(false);
        }

        foreach (var model in fileModels.Values)
        {
            await store.UpsertModelAsync(model, cancellationToken).ConfigureAwait(false);
        }

        foreach (var task in fileTasks.Values)
        {
            await store.UpsertTaskAsync(task, cancellationToken).ConfigureAwait(false);
        }

        await registry.ReloadAsync(cancellationToken).ConfigureAwait(false);
        return registry;
    }

    /// <summary>
    /// Resolves an OpenAI <c>model</c> field: a task by name, else a model by name with its implicit task
    /// (normal priority, no SLO, that model alone). Null when neither exists.
    /// </summary>
    public TaskDefinition? Resolve(string name)
    {
        var current = _current;
        if (current.Tasks.TryGetValue(name, out var task))
        {
            return task;
        }

        return current.Implicit.GetValueOrDefault(name);
    }

    /// <summary>Creates or replaces a task made through the API; returns the errors, empty when stored.</summary>
    public async Task<IReadOnlyList<string>> PutTaskAsync(TaskDefinition task, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current.Tasks.TryGetValue(task.Name, out var existing) && existing.FromConfig)
            {
                return [$"task '{task.Name}' is declared in the config file; change it there"];
            }

            var errors = DefinitionValidator.ValidateTask(task, [.. current.Models.Keys], [.. current.Tasks.Keys.Where(n => n != task.Name)], name => current.Tasks.GetValueOrDefault(name)?.Ensemble);
            if (errors.Count > 0)
            {
                return [.. errors.Select(e => e.ToString())];
            }

            await _store.UpsertTaskAsync(task with { FromConfig = false }, cancellationToken).ConfigureAwait(false);
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Creates or replaces a model made through the API (never a process backend); returns the errors, empty when stored.</summary>
    public async Task<IReadOnlyList<string>> PutModelAsync(ModelDefinition model, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current.Models.TryGetValue(model.Name, out var existing) && existing.FromConfig)
            {
                return [$"model '{model.Name}' is declared in the config file; change it there"];
            }

            if (model.Backend.RunsCommand())
            {
                return [$"backend: {model.Backend.Name()} models can only be declared in the config file (their command runs on this machine or the cluster)"];
            }

            if (model.ApiKeyEnv is not null)
            {
                // Else a model made through the API could send any of this server's environment variables to a URL of its choosing.
                return ["api_key_env: can only be set in the config file (it sends one of this server's environment variables to the model's URL)"];
            }

            var errors = DefinitionValidator.ValidateModel(model, _devices, [.. current.Models.Keys.Where(n => n != model.Name)], [.. current.Tasks.Keys]).ToList();
            if (!errors.Exists(e => e.Field is "path" or "backend" or "memory") && ModelFileCheck.Check(model) is { } problem)
            {
                errors.Add(new ConfigError("path", problem)); // a wrong path is refused now, not when a request first loads the model
            }

            if (errors.Count > 0)
            {
                return [.. errors.Select(e => e.ToString())];
            }

            if (model.Path is { Length: > 0 } path)
            {
                // Resolved once here and stored resolved: a link swapped later does not move the model.
                if (ConfinedPaths.Within(path, _modelDirs) is not { } resolved)
                {
                    return [$"path: '{path}' is outside the folders a model made through the API may use ({string.Join(", ", _modelDirs)}), symbolic links resolved; put the file in the model cache (yard pull) or list its folder in server.model_dirs"];
                }

                model = model with { Path = resolved };
            }

            await _store.UpsertModelAsync(model with { FromConfig = false }, cancellationToken).ConfigureAwait(false);
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Removes a task or model made through the API: null when removed, else why not (with 404 or 409).</summary>
    public async Task<(int Status, string Message)?> DeleteAsync(bool task, string name, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            var fromConfig = task ? current.Tasks.GetValueOrDefault(name)?.FromConfig : current.Models.GetValueOrDefault(name)?.FromConfig;
            var kind = task ? "task" : "model";
            if (fromConfig is null)
            {
                return (404, $"{kind} '{name}' not found");
            }

            if (fromConfig == true)
            {
                return (409, $"{kind} '{name}' is declared in the config file; remove it there");
            }

            if (!task && current.Tasks.Values.FirstOrDefault(t => t.Models.Contains(name)) is { } user)
            {
                return (409, $"model '{name}' is a candidate of task '{user.Name}'; change the task first");
            }

            _ = task ? await _store.DeleteTaskAsync(name, cancellationToken).ConfigureAwait(false) : await _store.DeleteModelAsync(name, cancellationToken).ConfigureAwait(false);
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Records a quality measurement of a known model and hands the latest scores to the scheduler; false when the model is unknown.</summary>
    public async Task<bool> AddQualityAsync(ModelQuality quality, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_current.Models.ContainsKey(quality.Model))
            {
                return false;
            }

            await _store.AddQualityAsync(quality, cancellationToken).ConfigureAwait(false);
            _scheduler.SetQuality(await _store.ListQualityAsync(null, MaxLatestQuality, cancellationToken).ConfigureAwait(false));
            return true;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>A model's latest measurement per metric, newest first, whatever the length of its history.</summary>
    public async Task<IReadOnlyList<ModelQuality>> LatestQualityAsync(string model, CancellationToken cancellationToken) =>
        [.. (await _store.ListQualityAsync(null, MaxLatestQuality, cancellationToken).ConfigureAwait(false)).Where(q => q.Model == model)];

    /// <summary>A model's measurements, newest first (at most <paramref name="limit"/>).</summary>
    public Task<IReadOnlyList<ModelQuality>> QualityAsync(string model, int limit, CancellationToken cancellationToken) =>
        _store.ListQualityAsync(model, limit, cancellationToken);

    /// <summary>Rereads the store: what another instance sharing it changed becomes current here.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var tasks = (await _store.ListTasksAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var models = (await _store.ListModelsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        _current = new RegistrySnapshot(tasks, models);
        _scheduler.SetModels(models.Values);
        _scheduler.SetQuality(await _store.ListQualityAsync(null, MaxLatestQuality, cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>Tasks and models by name, and each model's implicit task. Immutable.</summary>
internal sealed class RegistrySnapshot(IReadOnlyDictionary<string, TaskDefinition> tasks, IReadOnlyDictionary<string, ModelDefinition> models)
{
    public IReadOnlyDictionary<string, TaskDefinition> Tasks { get; } = tasks;

    public IReadOnlyDictionary<string, ModelDefinition> Models { get; } = models;

    /// <summary>For a model addressed by its own name: normal priority, no SLO, that model alone.</summary>
    public IReadOnlyDictionary<string, TaskDefinition> Implicit { get; } = models.Keys.ToDictionary(
        m => m, m => new TaskDefinition { Name = m, Priority = PriorityClass.Normal, Models = [m] }, StringComparer.Ordinal);
}
