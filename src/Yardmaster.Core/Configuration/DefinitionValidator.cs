using System.Globalization;

namespace Yardmaster.Core.Configuration;

/// <summary>
/// The semantic rules of configuration: names, backends, bounds, references between tasks and models,
/// policy names. Pure and thread-safe; every failure is returned as a <see cref="ConfigError"/> (none
/// are thrown), all of them at once. Field paths use the file's snake_case keys: <c>models[1].slots</c>
/// for a whole config, <c>slots</c> for a single definition from the API.
/// </summary>
public static partial class DefinitionValidator
{
    /// <summary>Validates a whole configuration: settings, every model and task, unique names, task references.</summary>
    public static IReadOnlyList<ConfigError> Validate(YardConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<ConfigError>();
        CheckServer(config.Server, errors);
        CheckStore(config.Store, errors);
        CheckDevices(config.Devices, errors);
        CheckPool(config.Pool, config.Devices, errors);
        CheckScheduler(config.Scheduler, errors);
        CheckJobs(config.Jobs, config.Devices, errors);
        CheckHistory(config.History, errors);
        CheckRequestLog(config.History, errors);
        CheckAuth(config.Auth, errors);
        if (config.Scheduler.Adapt is not null && (!config.History.Enabled || config.History.RequestMaxRows == 0))
        {
            errors.Add(new("scheduler.adapt", "needs the request log it tunes on: history.enabled true and history.requests.max_rows above 0"));
        }

        var models = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < config.Models.Count; i++)
        {
            var model = config.Models[i];
            var at = $"models[{i}]";
            CheckModel(model, config.Devices, at, errors);
            if ((model.Backend == BackendKind.Slurm && config.Jobs.Slurm is null) || (model.Backend == BackendKind.Kubernetes && config.Jobs.Kubernetes is null))
            {
                var engine = model.Backend.Name();
                errors.Add(new(Join(at, "backend"), $"backend {engine} runs replicas as {engine} jobs and needs a jobs.{engine} section"));
            }

            if (IsValidName(model.Name) && !models.TryAdd(model.Name, i))
            {
                errors.Add(new(Join(at, "name"), $"'{model.Name}' is already the name of models[{models[model.Name]}]; names must be unique"));
            }
        }

        var declared = config.Models.Select(m => m.Name).Where(models.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        var tasks = new Dictionary<string, int>(StringComparer.Ordinal);
        var ensembles = config.Tasks.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Ensemble, StringComparer.Ordinal);
        for (var i = 0; i < config.Tasks.Count; i++)
        {
            var task = config.Tasks[i];
            var at = $"tasks[{i}]";
            CheckTask(task, models.ContainsKey, declared, at, errors);
            CheckEnsemble(task, name => ensembles.GetValueOrDefault(name), name => models.ContainsKey(name) || ensembles.ContainsKey(name), at, errors);
            if (!IsValidName(task.Name))
            {
                continue;
            }

            if (!tasks.TryAdd(task.Name, i))
            {
                errors.Add(new(Join(at, "name"), $"'{task.Name}' is already the name of tasks[{tasks[task.Name]}]; names must be unique"));
            }
            else if (models.TryGetValue(task.Name, out var model))
            {
                errors.Add(new(Join(at, "name"), $"'{task.Name}' is also the name of models[{model}]; a task and a model may not share a name"));
            }
        }

        return errors;
    }

    /// <summary>
    /// Validates a model created or replaced through <c>/api/models</c> against the registry. Field paths
    /// are the definition's own keys (<c>slots</c>, <c>replicas.max</c>). A process backend is refused unless
    /// <see cref="ModelDefinition.FromConfig"/>: commands come only from the config file.
    /// </summary>
    /// <param name="model">The definition.</param>
    /// <param name="devices">The device inventory (for <c>device: gpu</c>).</param>
    /// <param name="modelNames">Names of the registry's models, without the one being replaced.</param>
    /// <param name="taskNames">Names of the registry's tasks.</param>
    public static IReadOnlyList<ConfigError> ValidateModel(ModelDefinition model, DeviceSettings devices, IReadOnlyCollection<string> modelNames, IReadOnlyCollection<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(modelNames);
        ArgumentNullException.ThrowIfNull(taskNames);
        var errors = new List<ConfigError>();
        if (model.Backend.RunsCommand() && !model.FromConfig)
        {
            errors.Add(new("backend", $"{model.Backend.Name()} backends run a command and are declared only in the config file, never through the API"));
        }

        CheckModel(model, devices, string.Empty, errors);
        if (modelNames.Contains(model.Name, StringComparer.Ordinal))
        {
            errors.Add(new("name", $"a model named '{model.Name}' already exists"));
        }
        else if (taskNames.Contains(model.Name, StringComparer.Ordinal))
        {
            errors.Add(new("name", $"'{model.Name}' is the name of a task; a task and a model may not share a name"));
        }

        return errors;
    }

    /// <summary>
    /// Validates a task created or replaced through <c>/api/tasks</c> against the registry: its own rules,
    /// its models among <paramref name="modelNames"/>, its name taken by no model and no other task.
    /// </summary>
    /// <param name="task">The definition.</param>
    /// <param name="modelNames">Names of the registry's models.</param>
    /// <param name="taskNames">Names of the registry's tasks, without the one being replaced.</param>
    /// <param name="ensembleOf">The ensemble of a registry task by name (null for none), to refuse a cycle of ensembles; null when no task has one.</param>
    public static IReadOnlyList<ConfigError> ValidateTask(TaskDefinition task, IReadOnlyCollection<string> modelNames, IReadOnlyCollection<string> taskNames, Func<string, EnsembleSettings?>? ensembleOf = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(modelNames);
        ArgumentNullException.ThrowIfNull(taskNames);
        var errors = new List<ConfigError>();
        var declared = modelNames.Order(StringComparer.Ordinal).ToList();
        CheckTask(task, name => modelNames.Contains(name, StringComparer.Ordinal), declared, string.Empty, errors);
        CheckEnsemble(
            task,
            name => name == task.Name ? task.Ensemble : ensembleOf?.Invoke(name),
            name => modelNames.Contains(name, StringComparer.Ordinal) || taskNames.Contains(name, StringComparer.Ordinal),
            string.Empty,
            errors);
        if (taskNames.Contains(task.Name, StringComparer.Ordinal))
        {
            errors.Add(new("name", $"a task named '{task.Name}' already exists"));
        }
        else if (modelNames.Contains(task.Name, StringComparer.Ordinal))
        {
            errors.Add(new("name", $"'{task.Name}' is the name of a model; a task and a model may not share a name"));
        }

        return errors;
    }

    /// <summary>True for a non-empty name of letters, digits and <c>. _ : -</c>, without "..".</summary>
    /// <remarks>Names are path segments of URLs (<c>/api/models/{name}</c>): no '/', no "..", no control characters.</remarks>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-') && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Why <paramref name="name"/> is not a valid name (it is not empty), for an error message.</summary>
    public static string InvalidNameMessage(string name) =>
        $"'{Printable(name)}' is not a valid name; use letters, digits and . _ : - (no '/', '..' or control characters: names are used in URLs)";

    /// <summary>The text with control characters shown as \uXXXX, so an error message stays on one line.</summary>
    private static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString())) : text;

    private static void CheckName(string? name, string at, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new(Join(at, "name"), "a name is required"));
        }
        else if (!IsValidName(name))
        {
            errors.Add(new(Join(at, "name"), InvalidNameMessage(name)));
        }
    }

    /// <summary>A quality metric's name follows the rules of model and task names (it appears in URLs and metrics).</summary>
    private static void CheckMetric(string? metric, string field, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(metric))
        {
            errors.Add(new(field, "a metric name is required"));
        }
        else if (!IsValidName(metric))
        {
            errors.Add(new(field, InvalidNameMessage(metric)));
        }
    }

    private static void CheckDuration(TimeSpan? value, bool zeroAllowed, string field, List<ConfigError> errors)
    {
        if (value is { } v && (v < TimeSpan.Zero || (!zeroAllowed && v == TimeSpan.Zero)))
        {
            var was = string.Create(CultureInfo.InvariantCulture, $"{v.TotalMilliseconds:0.###}ms");
            errors.Add(new(field, zeroAllowed ? $"must not be negative (was {was})" : $"must be positive (was {was})"));
        }
    }

    private static string Join(string at, string key) => at.Length == 0 ? key : at + "." + key;
}
