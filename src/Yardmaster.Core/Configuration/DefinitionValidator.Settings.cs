using Yardmaster.Core.Queueing;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

/// <content>The rules of the settings sections.</content>
public static partial class DefinitionValidator
{
    /// <summary>Names accepted in <c>scheduler.eviction</c>.</summary>
    public static IReadOnlyList<string> EvictionPolicyNames => Models.EvictionPolicies.Names;

    /// <summary>Names accepted in <c>scheduler.routing</c>.</summary>
    public static IReadOnlyList<string> RoutingPolicyNames { get; } = ["least-outstanding", "p2c"];

    private static readonly System.Text.RegularExpressions.Regex KubernetesName = new("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private static readonly System.Text.RegularExpressions.Regex EnvironmentName = new("^[A-Za-z_][A-Za-z0-9_]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static void CheckJobs(JobSettings jobs, DeviceSettings devices, List<ConfigError> errors)
    {
        if (Placement.PlacementPolicies.Create(jobs.Placement) is null)
        {
            errors.Add(new("jobs.placement", $"unknown policy '{jobs.Placement}'; use {string.Join(" | ", Placement.PlacementPolicies.Names)}"));
        }

        if (jobs.MaxRunning < 1)
        {
            errors.Add(new("jobs.max_running", $"must be at least 1; found {jobs.MaxRunning}"));
        }

        if (jobs.StopGrace < TimeSpan.Zero)
        {
            errors.Add(new("jobs.stop_grace", "must not be negative"));
        }

        if (devices.CpuMillis <= 0)
        {
            errors.Add(new("devices.cpu.cores", "must be more than 0, e.g. 2 or 1500m"));
        }

        if (!Pipelines.Engines.All.Contains(jobs.Executor))
        {
            errors.Add(new("jobs.executor", $"unknown executor '{jobs.Executor}'; use {string.Join(" | ", Pipelines.Engines.All)}"));
        }
        else if (jobs.Executor == Pipelines.Engines.Slurm && jobs.Slurm is null)
        {
            errors.Add(new("jobs.executor", "slurm needs a jobs.slurm section (it may be empty: jobs: { slurm: {} })"));
        }
        else if (jobs.Executor == Pipelines.Engines.Kubernetes && jobs.Kubernetes is null)
        {
            errors.Add(new("jobs.executor", "kubernetes needs a jobs.kubernetes section (it may be empty: jobs: { kubernetes: {} })"));
        }

        if (jobs.Slurm is { } slurm)
        {
            if (slurm.Poll <= TimeSpan.Zero)
            {
                errors.Add(new("jobs.slurm.poll", "must be positive, e.g. 1s"));
            }

            if (!SlurmPlacements.All.Contains(slurm.Placement, StringComparer.Ordinal))
            {
                errors.Add(new("jobs.slurm.placement", $"'{slurm.Placement}' is not one of {string.Join(", ", SlurmPlacements.All)}"));
            }

            if (slurm.QueueLimit < 1)
            {
                errors.Add(new("jobs.slurm.queue_limit", $"must be at least 1, not {slurm.QueueLimit}"));
            }
        }

        if (jobs.Kubernetes is { } kubernetes)
        {
            CheckKubernetes(kubernetes, errors);
        }
    }

    private static void CheckKubernetes(KubernetesSettings kubernetes, List<ConfigError> errors)
    {
        if (!KubernetesName.IsMatch(kubernetes.Namespace))
        {
            errors.Add(new("jobs.kubernetes.namespace", $"'{kubernetes.Namespace}' is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)"));
        }

        if (kubernetes.ImagePullPolicy is { } pull && pull is not ("Always" or "IfNotPresent" or "Never"))
        {
            errors.Add(new("jobs.kubernetes.image_pull_policy", $"unknown policy '{pull}'; use Always | IfNotPresent | Never"));
        }

        if (string.IsNullOrWhiteSpace(kubernetes.Image))
        {
            errors.Add(new("jobs.kubernetes.image", "must not be empty: the image shell steps run in, e.g. busybox:stable"));
        }

        for (var i = 0; i < kubernetes.Tolerations.Count; i++)
        {
            var toleration = kubernetes.Tolerations[i];
            if (toleration.GetValueOrDefault("operator") is { } op && op is not ("Exists" or "Equal"))
            {
                errors.Add(new($"jobs.kubernetes.tolerations[{i}].operator", $"unknown operator '{op}'; use Exists | Equal"));
            }

            if (toleration.GetValueOrDefault("effect") is { } effect && effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                errors.Add(new($"jobs.kubernetes.tolerations[{i}].effect", $"unknown effect '{effect}'; use NoSchedule | PreferNoSchedule | NoExecute"));
            }

            if (toleration.GetValueOrDefault("tolerationSeconds") is { } seconds && !long.TryParse(seconds, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add(new($"jobs.kubernetes.tolerations[{i}].tolerationSeconds", $"must be a whole number of seconds; found '{seconds}'"));
            }
        }
    }

    private static void CheckServer(ServerSettings server, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(server.Host))
        {
            errors.Add(new("server.host", "must not be empty; use e.g. 127.0.0.1 (loopback) or 0.0.0.0 (every interface)"));
        }

        if (server.Port is < 0 or > 65535)
        {
            errors.Add(new("server.port", $"must be between 0 and 65535 (was {server.Port})"));
        }

        if (server.MaxBodyBytes <= 0)
        {
            errors.Add(new("server.max_body", $"must be positive (was {server.MaxBodyBytes})"));
        }

        if (server.MaxPromptChars <= 0)
        {
            errors.Add(new("server.max_prompt_chars", $"must be positive (was {server.MaxPromptChars})"));
        }

        for (var i = 0; i < server.CorsOrigins.Count; i++)
        {
            // An origin is exactly scheme://host[:port]: what a browser sends in the Origin header, compared as text.
            var origin = server.CorsOrigins[i];
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || !string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new($"server.cors_origins[{i}]", $"'{origin}' is not an origin; write scheme://host[:port] with nothing after it, e.g. https://dashboard.example.com"));
            }
        }
    }

    private static void CheckStore(StoreSettings store, List<ConfigError> errors)
    {
        if (store.Path is not null && string.IsNullOrWhiteSpace(store.Path))
        {
            errors.Add(new("store.path", "must not be empty when given"));
        }

        if (store.Url is { } url)
        {
            if (store.Path is not null)
            {
                errors.Add(new("store.url", "give store.path (a SQLite file) or store.url (PostgreSQL), not both"));
            }

            if (!PostgresUrl.TryParse(url, out _, out var problem))
            {
                errors.Add(new("store.url", problem!));
            }
        }

        if (store.PasswordEnv is { } variable && !EnvironmentName.IsMatch(variable))
        {
            errors.Add(new("store.password_env", $"'{variable}' is not an environment variable name (letters, digits and '_', not starting with a digit)"));
        }

        if (store.Lease < TimeSpan.FromSeconds(1))
        {
            errors.Add(new("store.lease", "must be at least 1s (the leader renews it three times per lease)"));
        }
    }

    private static void CheckPool(PoolSettings pool, DeviceSettings devices, List<ConfigError> errors)
    {
        if (pool.ServingReserve < 0)
        {
            errors.Add(new("pool.serving_reserve", $"must not be negative (was {pool.ServingReserve})"));
        }
        else if (pool.ServingReserve > devices.CpuMemory)
        {
            errors.Add(new("pool.serving_reserve", $"{Units.ByteSizes.Format(pool.ServingReserve)} is more than the host memory of devices.cpu.memory ({Units.ByteSizes.Format(devices.CpuMemory)})"));
        }
    }

    private static void CheckDevices(DeviceSettings devices, List<ConfigError> errors)
    {
        if (devices.CpuMemory <= 0)
        {
            errors.Add(new("devices.cpu.memory", $"must be positive (was {devices.CpuMemory})"));
        }

        var indexes = new Dictionary<int, int>();
        for (var i = 0; i < devices.Gpus.Count; i++)
        {
            var gpu = devices.Gpus[i];
            if (gpu.Index < 0)
            {
                errors.Add(new($"devices.gpus[{i}].index", $"must not be negative (was {gpu.Index})"));
            }
            else if (!indexes.TryAdd(gpu.Index, i))
            {
                errors.Add(new($"devices.gpus[{i}].index", $"GPU {gpu.Index} is already devices.gpus[{indexes[gpu.Index]}]"));
            }

            if (gpu.Memory <= 0)
            {
                errors.Add(new($"devices.gpus[{i}].memory", $"must be positive (was {gpu.Memory})"));
            }
        }
    }

    private static void CheckHistory(HistorySettings history, List<ConfigError> errors)
    {
        if (history.Retention < TimeSpan.FromHours(1))
        {
            errors.Add(new ConfigError("history.retention", $"must be at least 1h (rows are per minute, pruned hourly), got {Durations.Format(history.Retention)}"));
        }

        if (history.MinuteRows < TimeSpan.FromHours(1))
        {
            errors.Add(new ConfigError("history.minute_rows", $"must be at least 1h (older minutes merge into hours), got {Durations.Format(history.MinuteRows)}"));
        }

        if (history.RequestSample is < 0 or > 1 || double.IsNaN(history.RequestSample))
        {
            errors.Add(new ConfigError("history.requests.sample", $"must be a fraction from 0 to 1 (1: every request in the request log, 0: none), got {history.RequestSample}"));
        }
    }

    private static void CheckRequestLog(HistorySettings history, List<ConfigError> errors)
    {
        if (history.RequestMaxPerSecond < 0 || !double.IsFinite(history.RequestMaxPerSecond))
        {
            errors.Add(new ConfigError("history.requests.max_per_second", $"must be 0 (no limit) or more, got {history.RequestMaxPerSecond}"));
        }

        if (history.RequestMaxRows < 0)
        {
            errors.Add(new ConfigError("history.requests.max_rows", $"must be 0 or more (0 keeps no request log), got {history.RequestMaxRows}"));
        }
    }

    private static void CheckScheduler(SchedulerSettings scheduler, List<ConfigError> errors)
    {
        CheckPolicy(scheduler.Queue, QueuePolicies.Names, "scheduler.queue", errors);
        CheckPolicy(scheduler.Eviction, EvictionPolicyNames, "scheduler.eviction", errors);
        CheckPolicy(scheduler.Routing, RoutingPolicyNames, "scheduler.routing", errors);
        if (scheduler.MaxQueue < 1)
        {
            errors.Add(new("scheduler.max_queue", $"must be at least 1 (was {scheduler.MaxQueue})"));
        }

        CheckDuration(scheduler.MaxWait, zeroAllowed: true, "scheduler.max_wait", errors);
        foreach (var (priority, wait) in scheduler.MaxWaitByClass)
        {
            CheckDuration(wait, zeroAllowed: true, "scheduler.max_wait." + priority.Name(), errors);
        }

        CheckDuration(scheduler.DefaultDeadline, zeroAllowed: false, "scheduler.default_deadline", errors);
        CheckDuration(scheduler.LoadWait, zeroAllowed: true, "scheduler.load_wait", errors);
        if (scheduler.Adapt is { } adapt)
        {
            CheckAdapt(adapt, errors);
        }
    }

    private static void CheckPolicy(string name, IReadOnlyList<string> known, string field, List<ConfigError> errors)
    {
        if (!known.Contains(name, StringComparer.Ordinal))
        {
            errors.Add(new(field, $"unknown policy '{name}'; use {string.Join(" | ", known)}"));
        }
    }

    private static void CheckAuth(AuthSettings auth, List<ConfigError> errors)
    {
        CheckHashes(auth.ApiKeyHashes, "auth.api_keys", errors);
        CheckHashes(auth.AdminKeyHashes, "auth.admin_keys", errors);
    }

    private static void CheckHashes(IReadOnlyList<string> hashes, string field, List<ConfigError> errors)
    {
        for (var i = 0; i < hashes.Count; i++)
        {
            if (hashes[i] is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigitLower))
            {
                errors.Add(new($"{field}[{i}]", "must be a SHA-256 hash: 64 lower-case hex digits"));
            }
        }
    }
}
