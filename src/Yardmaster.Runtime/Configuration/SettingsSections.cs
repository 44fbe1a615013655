using Yardmaster.Core;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>Maps <c>server:</c>, <c>store:</c>, <c>devices:</c> and <c>scheduler:</c>; absent keys keep the records' defaults.</summary>
internal static class SettingsSections
{
    public static readonly string[] ServerKeys = ["host", "port", "max_body", "max_prompt_chars", "cors_origins", "model_dirs"];
    public static readonly string[] StoreKeys = ["path", "url", "password_env", "lease"];
    public static readonly string[] DeviceKeys = ["cpu", "gpus"];
    public static readonly string[] PoolKeys = ["serving_reserve", "background_threads_follow_steps"];
    public static readonly string[] SchedulerKeys = ["queue", "eviction", "routing", "max_queue", "max_wait", "default_deadline", "load_wait", "adapt"];
    public static readonly string[] JobKeys = ["placement", "backfill", "cpu_weights", "max_running", "stop_grace", "docker", "allowed_dirs", "executor", "slurm", "kubernetes"];
    public static readonly string[] HistoryKeys = ["enabled", "retention", "minute_rows", "requests"];
    public static readonly string[] MetricsKeys = ["enabled", "public"];
    public static readonly string[] TracingKeys = ["otlp_endpoint", "service_name"];
    private static readonly string[] _historyRequestKeys = ["sample", "max_per_second", "max_rows"];
    private static readonly string[] _cpuKeys = ["memory", "cores"];
    private static readonly string[] _dockerKeys = ["enabled", "socket"];
    private static readonly string[] _slurmKeys = ["partition", "account", "qos", "extra_args", "bin_dir", "conf", "poll", "placement", "queue_limit"];
    private static readonly string[] _kubernetesKeys = ["namespace", "kubeconfig", "image", "image_pull_policy", "service_account", "node_selector", "tolerations", "ttl_after_finished"];
    private static readonly string[] _maxWaitKeys = ["default", "critical", "high", "normal", "low", "batch"];
    private static readonly string[] _adaptKeys = ["every", "window", "objective", "margin", "seeds", "budget", "min_requests", "bounds"];
    private static readonly string[] _adaptBoundKeys = ["queue", "eviction", "max_queue", "max_wait"];
    private static readonly string[] _rangeKeys = ["min", "max"];
    private static readonly string[] _tolerationKeys = ["key", "operator", "value", "effect", "tolerationSeconds"];
    private static readonly string[] _gpuKeys = ["index", "memory", "name"];

    public static ServerSettings Server(ConfigSection? s, string baseDirectory)
    {
        var d = new ServerSettings();
        return s is null ? d : new ServerSettings
        {
            Host = s.String("host") ?? d.Host,
            Port = s.Int("port") ?? d.Port,
            MaxBodyBytes = s.Size("max_body") ?? d.MaxBodyBytes,
            MaxPromptChars = s.Int("max_prompt_chars") ?? d.MaxPromptChars,
            CorsOrigins = s.Strings("cors_origins", "web origins, e.g. [https://dashboard.example.com]") ?? d.CorsOrigins,
            ModelDirs = Directories(s, "model_dirs", baseDirectory),
        };
    }

    public static StoreSettings Store(ConfigSection? s, string baseDirectory)
    {
        var d = new StoreSettings();
        return s is null ? d : new StoreSettings
        {
            Path = s.String("path") is { } path ? ModelSection.Resolve(path, baseDirectory) : null,
            Url = s.String("url"),
            PasswordEnv = s.String("password_env"),
            Lease = s.Duration("lease") ?? d.Lease,
        };
    }

    public static HistorySettings History(ConfigSection? s)
    {
        var d = new HistorySettings();
        var requests = s?.Section("requests", _historyRequestKeys);
        return s is null ? d : new HistorySettings
        {
            Enabled = s.Bool("enabled") ?? d.Enabled,
            Retention = s.Duration("retention") ?? d.Retention,
            MinuteRows = s.Duration("minute_rows") ?? d.MinuteRows,
            RequestSample = requests?.Number("sample") ?? d.RequestSample,
            RequestMaxRows = requests?.Int("max_rows") ?? d.RequestMaxRows,
            RequestMaxPerSecond = requests?.Number("max_per_second") ?? d.RequestMaxPerSecond,
        };
    }

    public static MetricsSettings Metrics(ConfigSection? s)
    {
        var d = new MetricsSettings();
        return s is null ? d : new MetricsSettings { Enabled = s.Bool("enabled") ?? d.Enabled, Public = s.Bool("public") ?? d.Public };
    }

    public static TracingSettings Tracing(ConfigSection? s)
    {
        var d = new TracingSettings();
        if (s is null)
        {
            return d;
        }

        Uri? endpoint = null;
        if (s.String("otlp_endpoint") is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                endpoint = uri;
            }
            else
            {
                s.Reader.Error(s.Node("otlp_endpoint")!, s.Field("otlp_endpoint"), $"must be an http or https URL, e.g. http://127.0.0.1:4318, got '{text}'");
            }
        }

        return new TracingSettings { OtlpEndpoint = endpoint, ServiceName = s.String("service_name") ?? d.ServiceName };
    }

    public static DeviceSettings Devices(ConfigSection? s)
    {
        var d = new DeviceSettings();
        if (s is null)
        {
            return d;
        }

        var cpu = s.Section("cpu", _cpuKeys);
        var gpus = new List<GpuDevice>();
        var items = s.List("gpus", "GPUs, e.g. [{ index: 0, memory: 80GiB }]") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"{s.Field("gpus")}[{i}]";
            if (s.Reader.Section(items[i], field, _gpuKeys) is not { } gpu)
            {
                continue;
            }

            var index = gpu.Int("index");
            var memory = gpu.Size("memory");
            Require(gpu, "index", "the GPU's number as nvidia-smi shows it, e.g. 0");
            Require(gpu, "memory", "the GPU's memory for models, e.g. 80GiB");
            if (index is { } n && memory is { } bytes)
            {
                gpus.Add(new GpuDevice(n, bytes, gpu.String("name")));
            }
        }

        return new DeviceSettings
        {
            CpuMemory = cpu?.Size("memory") ?? d.CpuMemory,
            CpuMillis = Cores(cpu) ?? d.CpuMillis,
            Gpus = gpus,
        };
    }

    public static PoolSettings Pool(ConfigSection? s) =>
        new() { ServingReserve = s?.Size("serving_reserve") ?? 0, BackgroundThreadsFollowSteps = s is null ? new PoolSettings().BackgroundThreadsFollowSteps : FollowSteps(s) };

    /// <summary><c>background_threads_follow_steps</c>: <c>true</c> (<c>low</c>), <c>false</c> (null) or a class name; the default when absent.</summary>
    private static PriorityClass? FollowSteps(ConfigSection s)
    {
        const string Key = "background_threads_follow_steps";
        if (s.String(Key) is not { } text)
        {
            return new PoolSettings().BackgroundThreadsFollowSteps;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return PriorityClass.Low;
        }

        if (text is "false" or "False" or "FALSE")
        {
            return null;
        }

        if (PriorityClasses.TryParse(text, out var priority))
        {
            return priority;
        }

        s.Reader.Error(s.Node(Key)!, s.Field(Key), $"expected true, false or a class ({PriorityClasses.Names}); found '{text}'");
        return null;
    }

    public static JobSettings Jobs(ConfigSection? s, string baseDirectory)
    {
        var d = new JobSettings();
        var docker = s?.Section("docker", _dockerKeys);
        return s is null ? d : new JobSettings
        {
            Placement = s.String("placement") ?? d.Placement,
            Backfill = s.Bool("backfill") ?? d.Backfill,
            CpuWeights = s.Bool("cpu_weights") ?? d.CpuWeights,
            MaxRunning = s.Int("max_running") ?? d.MaxRunning,
            StopGrace = s.Duration("stop_grace") ?? d.StopGrace,
            DockerEnabled = docker?.Bool("enabled") ?? d.DockerEnabled,
            DockerSocket = docker?.String("socket") ?? d.DockerSocket,
            AllowedDirs = Directories(s, "allowed_dirs", baseDirectory),
            Executor = s.String("executor") ?? d.Executor,
            Slurm = s.Section("slurm", _slurmKeys) is { } slurm ? Slurm(slurm, baseDirectory) : null,
            Kubernetes = s.Section("kubernetes", _kubernetesKeys) is { } kubernetes ? Kubernetes(kubernetes, baseDirectory) : null,
        };
    }

    private static SlurmSettings Slurm(ConfigSection s, string baseDirectory)
    {
        var d = new SlurmSettings();
        return new SlurmSettings
        {
            Partition = s.String("partition"),
            Account = s.String("account"),
            Qos = s.String("qos"),
            ExtraArgs = s.Strings("extra_args", "sbatch arguments, e.g. [--exclusive]") ?? d.ExtraArgs,
            BinDir = s.String("bin_dir") is { } bin ? ModelSection.Resolve(bin, baseDirectory) : null,
            Conf = s.String("conf") is { } conf ? ModelSection.Resolve(conf, baseDirectory) : null,
            Poll = s.Duration("poll") ?? d.Poll,
            Placement = s.String("placement") ?? d.Placement,
            QueueLimit = s.Int("queue_limit") ?? d.QueueLimit,
        };
    }

    private static KubernetesSettings Kubernetes(ConfigSection s, string baseDirectory)
    {
        var d = new KubernetesSettings();
        var tolerations = new List<IReadOnlyDictionary<string, string>>();
        var items = s.List("tolerations", "tolerations, e.g. [{key: gpu, operator: Exists, effect: NoSchedule}]") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"{s.Field("tolerations")}[{i}]";
            if (s.Reader.Section(items[i], field, _tolerationKeys) is { } toleration)
            {
                tolerations.Add(new Dictionary<string, string>(_tolerationKeys.Select(k => (k, toleration.String(k))).Where(p => p.Item2 is not null).Select(p => KeyValuePair.Create(p.k, p.Item2!)), StringComparer.Ordinal));
            }
        }

        return new KubernetesSettings
        {
            Namespace = s.String("namespace") ?? d.Namespace,
            Kubeconfig = s.String("kubeconfig") is { } kubeconfig ? ModelSection.Resolve(kubeconfig, baseDirectory) : null,
            Image = s.String("image") ?? d.Image,
            ImagePullPolicy = s.String("image_pull_policy"),
            ServiceAccount = s.String("service_account"),
            NodeSelector = s.StringMap("node_selector", "node labels to values"),
            Tolerations = tolerations,
            TtlAfterFinished = s.Duration("ttl_after_finished") ?? d.TtlAfterFinished,
        };
    }

    /// <summary>A list of folders, relative ones against the config file's folder; each must exist (a located error otherwise).</summary>
    private static List<string> Directories(ConfigSection s, string key, string baseDirectory)
    {
        var directories = new List<string>();
        var items = s.List(key, "folders, e.g. [/srv/models]") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"{s.Field(key)}[{i}]";
            if (s.Reader.String(items[i], field) is not { } text)
            {
                continue;
            }

            var full = ModelSection.Resolve(text, baseDirectory);
            if (text.Length == 0 || !Directory.Exists(full))
            {
                s.Reader.Error(items[i], field, $"the directory '{full}' does not exist");
                continue;
            }

            directories.Add(full);
        }

        return directories;
    }

    private static long? Cores(ConfigSection? cpu)
    {
        if (cpu?.Node("cores") is not { } node || cpu.Reader.String(node, cpu.Field("cores")) is not { } text)
        {
            return null;
        }

        if (Core.Units.CpuAmounts.TryParse(text, out var millis, out var error))
        {
            return millis;
        }

        cpu.Reader.Error(node, cpu.Field("cores"), error!);
        return null;
    }

    public static SchedulerSettings Scheduler(ConfigSection? s)
    {
        var d = new SchedulerSettings();
        return s is null ? d : new SchedulerSettings
        {
            Queue = s.String("queue") ?? d.Queue,
            Eviction = s.String("eviction") ?? d.Eviction,
            Routing = s.String("routing") ?? d.Routing,
            MaxQueue = s.Int("max_queue") ?? d.MaxQueue,
            MaxWait = MaxWait(s, out var byClass) ?? d.MaxWait,
            MaxWaitByClass = byClass ?? d.MaxWaitByClass,
            DefaultDeadline = s.Duration("default_deadline") ?? d.DefaultDeadline,
            LoadWait = s.Duration("load_wait") ?? d.LoadWait,
            Adapt = s.Section("adapt", _adaptKeys) is { } adapt ? Adapt(adapt) : null,
        };
    }

    /// <summary><c>scheduler.adapt:</c>; present (even empty) turns it on.</summary>
    private static AdaptSettings Adapt(ConfigSection s)
    {
        var d = new AdaptSettings();
        return new AdaptSettings
        {
            Every = s.Duration("every") ?? d.Every,
            Window = s.Duration("window") ?? d.Window,
            Objective = s.String("objective") ?? d.Objective,
            Margin = s.Number("margin") ?? d.Margin,
            Seeds = s.Int("seeds") ?? d.Seeds,
            Budget = s.Duration("budget") ?? d.Budget,
            MinRequests = s.Int("min_requests") ?? d.MinRequests,
            Bounds = s.Section("bounds", _adaptBoundKeys) is { } b ? AdaptBounds(b) : null,
        };
    }

    private static AdaptBounds AdaptBounds(ConfigSection s)
    {
        var waits = new Dictionary<string, (TimeSpan, TimeSpan)>(StringComparer.Ordinal);
        if (s.Section("max_wait", DefinitionValidator.AdaptWaitKeys) is { } map)
        {
            foreach (var key in DefinitionValidator.AdaptWaitKeys)
            {
                if (map.Section(key, _rangeKeys) is { } range && Range<TimeSpan>(range, r => r.Duration) is { } w)
                {
                    waits[key] = w;
                }
            }
        }

        return new AdaptBounds
        {
            Queues = s.Strings("queue", "queue policies"),
            Evictions = s.Strings("eviction", "eviction policies"),
            MaxQueue = s.Section("max_queue", _rangeKeys) is { } q ? Range<int>(q, r => r.Int) : null,
            MaxWait = waits,
        };
    }

    /// <summary><c>{ min: X, max: Y }</c>, both required.</summary>
    private static (T Min, T Max)? Range<T>(ConfigSection s, Func<ConfigSection, Func<string, T?>> read)
        where T : struct
    {
        Require(s, "min", "the smallest value adapt may choose");
        Require(s, "max", "the largest value adapt may choose");
        return read(s)("min") is { } min && read(s)("max") is { } max ? (min, max) : null;
    }

    /// <summary>
    /// <c>max_wait: 30s</c> (one aging bound for every class) or <c>max_wait: { default: 30s, low: 2m, batch: 10m }</c>
    /// (per class; classes left out keep the built-in defaults).
    /// </summary>
    private static TimeSpan? MaxWait(ConfigSection s, out IReadOnlyDictionary<PriorityClass, TimeSpan>? byClass)
    {
        byClass = null;
        if (s.Node("max_wait") is not { Kind: ConfigNodeKind.Mapping })
        {
            var all = s.Duration("max_wait");
            if (all is not null)
            {
                byClass = new Dictionary<PriorityClass, TimeSpan>();
            }

            return all;
        }

        if (s.Section("max_wait", _maxWaitKeys) is not { } map)
        {
            return null;
        }

        var classes = new Dictionary<PriorityClass, TimeSpan>(new SchedulerSettings().MaxWaitByClass);
        foreach (var priority in PriorityClasses.All)
        {
            if (map.Duration(priority.Name()) is { } wait)
            {
                classes[priority] = wait;
            }
        }

        byClass = classes;
        return map.Duration("default");
    }

    private static void Require(ConfigSection s, string key, string what)
    {
        if (s.Node(key) is null)
        {
            s.Missing(key, $"{key} is required: {what}");
        }
    }
}
