using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Loads <c>yard.yaml</c>: YAML syntax, keys and types, then the semantic rules of
/// <see cref="DefinitionValidator"/> and each model's file (<see cref="ModelFileCheck"/>), reporting every
/// error at once with file, line, column and field.
/// Relative paths resolve against the file's folder; API keys are kept only as SHA-256 hashes; models
/// and tasks get <c>FromConfig</c>. Never throws for a bad or missing file. Thread-safe (no shared state).
/// </summary>
public static class YardConfigLoader
{
    private static readonly string[] _rootKeys = ["server", "store", "devices", "pool", "scheduler", "jobs", "history", "metrics", "tracing", "auth", "models", "tasks"];

    /// <summary>Loads the file at <paramref name="path"/>; environment variables from the process.</summary>
    public static ConfigLoadResult Load(string path) => Load(path, Environment.GetEnvironmentVariable);

    /// <summary>Loads the file at <paramref name="path"/>, reading <c>*_env</c> variables through <paramref name="environment"/>.</summary>
    public static ConfigLoadResult Load(string path, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ConfigFile.TryRead(path, out var error) is not { } text)
        {
            return new ConfigLoadResult(null, [error!]);
        }

        var full = Path.GetFullPath(path);
        var result = LoadText(text, path, Path.GetDirectoryName(full) ?? Directory.GetCurrentDirectory(), environment);
        return result.Config is { } config ? result with { Config = config with { SourceFile = full } } : result;
    }

    /// <summary>Loads YAML text as if read from <paramref name="fileName"/> in <paramref name="baseDirectory"/>; environment variables from the process.</summary>
    public static ConfigLoadResult LoadText(string yaml, string fileName, string baseDirectory) =>
        LoadText(yaml, fileName, baseDirectory, Environment.GetEnvironmentVariable);

    /// <summary>Loads YAML text as if read from <paramref name="fileName"/>, resolving relative paths against <paramref name="baseDirectory"/>.</summary>
    public static ConfigLoadResult LoadText(string yaml, string fileName, string baseDirectory, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(environment);
        var reader = new ConfigReader(fileName);
        var root = ConfigNodeParser.Parse(yaml, reader);
        if (reader.Errors.Count > 0)
        {
            return new ConfigLoadResult(null, reader.Errors);
        }

        var config = root is null || root.IsNull ? new YardConfig() : Read(root, reader, baseDirectory, environment);
        var errors = reader.Errors;
        if (config is not null)
        {
            // A field the loader already rejected was left at its default; do not also report the default.
            var rejected = errors.Select(e => e.Field).ToList();
            rejected.AddRange(rejected.Where(f => f.EndsWith(".backend", StringComparison.Ordinal)).SelectMany(BackendDependents).ToList());
            var covered = rejected.ToHashSet(StringComparer.Ordinal);
            errors.AddRange(DefinitionValidator.Validate(config).Where(e => !ConfigFile.WithinAny(e.Field, covered)).Select(reader.Locate));
            errors.AddRange([.. ModelFiles(config, errors).Select(reader.Locate)]);
        }

        var sorted = errors.OrderBy(e => e.Line ?? 0).ThenBy(e => e.Column ?? 0).ToList();
        return sorted.Count == 0 ? new ConfigLoadResult(config, []) : new ConfigLoadResult(null, sorted);
    }

    private static YardConfig? Read(ConfigNode root, ConfigReader reader, string baseDirectory, Func<string, string?> environment)
    {
        if (reader.Section(root, string.Empty, _rootKeys) is not { } s)
        {
            return null;
        }

        return new YardConfig
        {
            Server = SettingsSections.Server(s.Section("server", SettingsSections.ServerKeys), baseDirectory),
            Store = SettingsSections.Store(s.Section("store", SettingsSections.StoreKeys), baseDirectory),
            Devices = SettingsSections.Devices(s.Section("devices", SettingsSections.DeviceKeys)),
            Pool = SettingsSections.Pool(s.Section("pool", SettingsSections.PoolKeys)),
            Scheduler = SettingsSections.Scheduler(s.Section("scheduler", SettingsSections.SchedulerKeys)),
            Jobs = SettingsSections.Jobs(s.Section("jobs", SettingsSections.JobKeys), baseDirectory),
            History = SettingsSections.History(s.Section("history", SettingsSections.HistoryKeys)),
            Metrics = SettingsSections.Metrics(s.Section("metrics", SettingsSections.MetricsKeys)),
            Tracing = SettingsSections.Tracing(s.Section("tracing", SettingsSections.TracingKeys)),
            Auth = AuthSection.Read(s.Section("auth", AuthSection.Keys), environment),
            Models = Entries(s, "models", ModelSection.Keys, m => ModelSection.Read(m, baseDirectory)),
            Tasks = Entries(s, "tasks", TaskSection.Keys, TaskSection.Read),
        };
    }

    private static List<T> Entries<T>(ConfigSection s, string key, IReadOnlyList<string> keys, Func<ConfigSection, T> read)
    {
        var entries = new List<T>();
        var items = s.List(key, key) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            // An entry that is not a mapping still takes its place, so that later indexes stay those of the file.
            var field = $"{key}[{i}]";
            entries.Add(read(s.Reader.Section(items[i], field, keys) ?? new ConfigSection(s.Reader, field, items[i], [])));
        }

        return entries;
    }

    /// <summary>
    /// Each model's file (<see cref="ModelFileCheck"/>), so that a wrong path stops the start instead of failing
    /// the first request; skipped for a model whose path, backend or memory is already reported.
    /// </summary>
    private static IEnumerable<ConfigError> ModelFiles(YardConfig config, List<ConfigError> errors)
    {
        for (var i = 0; i < config.Models.Count; i++)
        {
            var at = $"models[{i}]";
            string[] decisive = [at, at + ".path", at + ".backend", at + ".memory"];
            if (!errors.Exists(e => decisive.Contains(e.Field, StringComparer.Ordinal)) && ModelFileCheck.Check(config.Models[i]) is { } problem)
            {
                yield return new ConfigError(at + ".path", problem);
            }
        }
    }

    /// <summary>With its backend unknown, a model's backend-specific fields cannot be judged.</summary>
    private static IEnumerable<string> BackendDependents(string backendField)
    {
        var model = backendField[..^".backend".Length];
        return [model + ".path", model + ".command", model + ".url"];
    }
}
