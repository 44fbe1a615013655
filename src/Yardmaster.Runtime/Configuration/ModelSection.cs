using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>Maps one entry of <c>models:</c> to a <see cref="ModelDefinition"/>.</summary>
internal static class ModelSection
{
    public static readonly string[] Keys =
    [
        "name", "backend", "path", "command", "image", "url", "api_key_env", "upstream_model", "device", "memory", "slots",
        "context", "threads", "replicas", "keep_alive", "pinned", "preempt", "ready_timeout", "stop_grace", "cost",
        "simulation",
    ];

    private static readonly string[] _simulationKeys = ["prefill_tokens_per_second", "decode_tokens_per_second", "load_time", "concurrency"];

    private static readonly string[] _concurrencyKeys = ["sequences", "prefill_tokens_per_second", "decode_tokens_per_second"];

    private static readonly string[] _replicaKeys = ["min", "max"];

    private static readonly Dictionary<string, BackendKind> _backends = new(StringComparer.Ordinal)
    {
        ["builtin"] = BackendKind.Builtin,
        ["process"] = BackendKind.Process,
        ["http"] = BackendKind.Http,
        ["slurm"] = BackendKind.Slurm,
        ["kubernetes"] = BackendKind.Kubernetes,
    };

    private static readonly Dictionary<string, DeviceKind> _devices = new(StringComparer.Ordinal)
    {
        ["cpu"] = DeviceKind.Cpu,
        ["gpu"] = DeviceKind.Gpu,
    };

    public static ModelDefinition Read(ConfigSection s, string baseDirectory)
    {
        var defaults = new ModelDefinition { Name = string.Empty };
        var replicas = s.Section("replicas", _replicaKeys);
        return new ModelDefinition
        {
            Name = s.String("name") ?? string.Empty,
            Backend = s.Choice("backend", _backends) ?? defaults.Backend,
            Path = s.String("path") is { } path ? Resolve(path, baseDirectory) : null,
            Command = s.String("command"),
            Image = s.String("image"),
            Url = ReadUrl(s),
            ApiKeyEnv = s.String("api_key_env"),
            UpstreamModel = s.String("upstream_model"),
            Device = s.Choice("device", _devices) ?? defaults.Device,
            Memory = s.Size("memory"),
            Slots = s.Int("slots") ?? defaults.Slots,
            Context = s.Int("context"),
            Threads = s.Int("threads"),
            ReplicasMin = replicas?.Int("min") ?? defaults.ReplicasMin,
            ReplicasMax = replicas?.Int("max") ?? defaults.ReplicasMax,
            KeepAlive = ReadKeepAlive(s, defaults.KeepAlive),
            Pinned = s.Bool("pinned") ?? defaults.Pinned,
            Preempt = s.Bool("preempt"),
            ReadyTimeout = s.Duration("ready_timeout") ?? defaults.ReadyTimeout,
            StopGrace = s.Duration("stop_grace") ?? defaults.StopGrace,
            Cost = s.Number("cost") ?? defaults.Cost,
            Simulation = ReadSimulation(s),
            FromConfig = true,
        };
    }

    /// <summary><c>simulation:</c>; an absent rate is NaN (the validator names it), an absent table null.</summary>
    private static ModelSpeedSettings? ReadSimulation(ConfigSection s)
    {
        if (s.Section("simulation", _simulationKeys) is not { } sim)
        {
            return null;
        }

        List<ConcurrencySpeedSettings>? table = null;
        if (sim.List("concurrency", "rows { sequences, prefill_tokens_per_second, decode_tokens_per_second }") is { } rows)
        {
            table = new List<ConcurrencySpeedSettings>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                // A row that is not a mapping still takes its place (its error is the reader's), so that later indexes stay the file's.
                var field = $"{sim.Field("concurrency")}[{i}]";
                var row = sim.Reader.Section(rows[i], field, _concurrencyKeys) ?? new ConfigSection(sim.Reader, field, rows[i], []);
                table.Add(new ConcurrencySpeedSettings(row.Int("sequences") ?? 0, row.Number("prefill_tokens_per_second") ?? double.NaN, row.Number("decode_tokens_per_second") ?? double.NaN));
            }
        }

        return new ModelSpeedSettings(sim.Number("prefill_tokens_per_second") ?? double.NaN, sim.Number("decode_tokens_per_second") ?? double.NaN, sim.Duration("load_time"))
        {
            Concurrency = table,
        };
    }

    /// <summary>A path as written, resolved against the config file's folder when relative.</summary>
    public static string Resolve(string path, string baseDirectory) =>
        path.Length == 0 || System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, path));

    private static Uri? ReadUrl(ConfigSection s)
    {
        if (s.String("url") is not { } text)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var url))
        {
            return url;
        }

        s.Reader.Error(s.Node("url")!, s.Field("url"), $"'{text}' is not a URL; use e.g. http://127.0.0.1:9000/v1");
        return null;
    }

    /// <summary><c>-1</c> is never (null), <c>0</c> at once, else a duration.</summary>
    private static TimeSpan? ReadKeepAlive(ConfigSection s, TimeSpan? fallback)
    {
        if (s.Node("keep_alive") is { Kind: ConfigNodeKind.Scalar, Value: var text } && text.Trim() == "-1")
        {
            return null;
        }

        return s.Node("keep_alive") is null ? fallback : s.Duration("keep_alive") ?? fallback;
    }
}
