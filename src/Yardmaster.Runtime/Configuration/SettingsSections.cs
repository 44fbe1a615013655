using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>Maps <c>server:</c>, <c>store:</c>, <c>devices:</c> and <c>scheduler:</c>; absent keys keep the records' defaults.</summary>
internal static class SettingsSections
{
    public static readonly string[] ServerKeys = ["host", "port", "max_body", "max_prompt_chars"];
    public static readonly string[] StoreKeys = ["path"];
    public static readonly string[] DeviceKeys = ["cpu", "gpus"];
    public static readonly string[] SchedulerKeys = ["queue", "eviction", "routing", "max_queue", "max_wait", "default_deadline", "load_wait"];
    private static readonly string[] _cpuKeys = ["memory"];
    private static readonly string[] _gpuKeys = ["index", "memory", "name"];

    public static ServerSettings Server(ConfigSection? s)
    {
        var d = new ServerSettings();
        return s is null ? d : new ServerSettings
        {
            Host = s.String("host") ?? d.Host,
            Port = s.Int("port") ?? d.Port,
            MaxBodyBytes = s.Size("max_body") ?? d.MaxBodyBytes,
            MaxPromptChars = s.Int("max_prompt_chars") ?? d.MaxPromptChars,
        };
    }

    public static StoreSettings Store(ConfigSection? s, string baseDirectory) =>
        new() { Path = s?.String("path") is { } path ? ModelSection.Resolve(path, baseDirectory) : null };

    public static DeviceSettings Devices(ConfigSection? s)
    {
        var d = new DeviceSettings();
        if (s is null)
        {
            return d;
        }

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
            CpuMemory = s.Section("cpu", _cpuKeys)?.Size("memory") ?? d.CpuMemory,
            Gpus = gpus,
        };
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
            MaxWait = s.Duration("max_wait") ?? d.MaxWait,
            DefaultDeadline = s.Duration("default_deadline") ?? d.DefaultDeadline,
            LoadWait = s.Duration("load_wait") ?? d.LoadWait,
        };
    }

    private static void Require(ConfigSection s, string key, string what)
    {
        if (s.Node(key) is null)
        {
            s.Missing(key, $"{key} is required: {what}");
        }
    }
}
