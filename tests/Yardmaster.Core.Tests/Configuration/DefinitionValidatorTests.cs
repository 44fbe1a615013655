using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Configuration;

public sealed class DefinitionValidatorTests
{
    private static readonly ModelDefinition _model = new() { Name = "m", Path = "/models/m.gguf" };
    private static readonly TaskDefinition _task = new() { Name = "t", Models = ["m"] };
    private static readonly YardConfig _valid = new() { Models = [_model], Tasks = [_task] };
    private static readonly ModelDefinition _kubernetes = _model with { Backend = BackendKind.Kubernetes, Command = "yard model-server --model {path} --host 0.0.0.0 --port {port}", Image = "ghcr.io/example/yard:1.0" };

    private static readonly Dictionary<string, Func<YardConfig, YardConfig>> _cases = new()
    {
        ["empty name"] = c => Model(c with { Tasks = [] }, _model with { Name = "" }),
        ["bad name"] = c => Model(c with { Tasks = [] }, _model with { Name = "a b" }),
        ["slash in name"] = c => Model(c with { Tasks = [] }, _model with { Name = "org/m" }),
        ["dot dot name"] = c => Model(c with { Tasks = [] }, _model with { Name = "..", }),
        ["control in name"] = c => Model(c with { Tasks = [] }, _model with { Name = "m\n" }),
        ["slash in task name"] = c => c with { Tasks = [_task with { Name = "a/../t" }] },
        ["duplicate model"] = c => c with { Models = [_model, _model with { Path = "/other.gguf" }] },
        ["duplicate task"] = c => c with { Tasks = [_task, _task] },
        ["task named like model"] = c => Task(c, _task with { Name = "m" }),
        ["builtin without path"] = c => Model(c, _model with { Path = " " }),
        ["process without command"] = c => Model(c, _model with { Backend = BackendKind.Process }),
        ["process without port"] = c => Model(c, _model with { Backend = BackendKind.Process, Command = "serve {path}" }),
        ["process path placeholder"] = c => Model(c, _model with { Backend = BackendKind.Process, Command = "serve {path} {port}", Path = null }),
        ["command on builtin"] = c => Model(c, _model with { Command = "serve {port}" }),
        ["http without url"] = c => Model(c, _model with { Backend = BackendKind.Http }),
        ["slurm without jobs.slurm"] = c => Model(c, _model with { Backend = BackendKind.Slurm, Command = "yard model-server --model {path} --port {port}" }),
        ["kubernetes without image"] = c => Model(c, _kubernetes with { Image = null }) with { Jobs = new JobSettings { Kubernetes = new KubernetesSettings() } },
        ["kubernetes blank image"] = c => Model(c, _kubernetes with { Image = " " }) with { Jobs = new JobSettings { Kubernetes = new KubernetesSettings() } },
        ["kubernetes bad image"] = c => Model(c, _kubernetes with { Image = "Yard Server:1" }) with { Jobs = new JobSettings { Kubernetes = new KubernetesSettings() } },
        ["kubernetes without jobs.kubernetes"] = c => Model(c, _kubernetes),
        ["image on builtin"] = c => Model(c, _model with { Image = "ghcr.io/example/yard:1.0" }),
        ["image on process"] = c => Model(c, _model with { Backend = BackendKind.Process, Command = "serve --port {port}", Image = "ghcr.io/example/yard:1.0" }),
        ["http relative url"] = c => Model(c, _model with { Backend = BackendKind.Http, Url = new Uri("/v1", UriKind.Relative) }),
        ["http ftp url"] = c => Model(c, _model with { Backend = BackendKind.Http, Url = new Uri("ftp://host/v1") }),
        ["url on builtin"] = c => Model(c, _model with { Url = new Uri("http://host/v1") }),
        ["slots"] = c => Model(c, _model with { Slots = 0 }),
        ["replicas max"] = c => Model(c, _model with { ReplicasMax = 0 }),
        ["replicas min above max"] = c => Model(c, _model with { ReplicasMin = 2, ReplicasMax = 1 }),
        ["replicas min negative"] = c => Model(c, _model with { ReplicasMin = -1 }),
        ["memory"] = c => Model(c, _model with { Memory = 0 }),
        ["context"] = c => Model(c, _model with { Context = 0 }),
        ["threads"] = c => Model(c, _model with { Threads = 0 }),
        ["gpu without gpus"] = c => Model(c, _model with { Device = DeviceKind.Gpu }),
        ["keep alive"] = c => Model(c, _model with { KeepAlive = TimeSpan.FromSeconds(-1) }),
        ["ready timeout"] = c => Model(c, _model with { ReadyTimeout = TimeSpan.Zero }),
        ["stop grace"] = c => Model(c, _model with { StopGrace = TimeSpan.FromSeconds(-1) }),
        ["cost"] = c => Model(c, _model with { Cost = double.NaN }),
        ["preempt on http"] = c => Model(c, _model with { Backend = BackendKind.Http, Url = new Uri("http://host/v1"), Path = null, Preempt = true }),
        ["no models"] = c => Task(c, _task with { Models = [] }),
        ["undeclared model"] = c => Task(c, _task with { Models = ["m", "x"] }),
        ["weight"] = c => Task(c, _task with { Weight = 0 }),
        ["max concurrency"] = c => Task(c, _task with { MaxConcurrency = 0 }),
        ["rate"] = c => Task(c, _task with { Rate = new RateLimit(0, 1) }),
        ["burst"] = c => Task(c, _task with { Rate = new RateLimit(5, 0) }),
        ["ttft"] = c => Task(c, _task with { Ttft = TimeSpan.Zero }),
        ["latency"] = c => Task(c, _task with { Latency = TimeSpan.FromSeconds(-1) }),
        ["ttft above latency"] = c => Task(c, _task with { Ttft = TimeSpan.FromSeconds(2), Latency = TimeSpan.FromSeconds(1) }),
        ["priority"] = c => Task(c, _task with { Priority = (PriorityClass)9 }),
        ["queue policy"] = c => c with { Scheduler = new() { Queue = "edf" } },
        ["eviction policy"] = c => c with { Scheduler = new() { Eviction = "mru" } },
        ["routing policy"] = c => c with { Scheduler = new() { Routing = "random" } },
        ["max queue"] = c => c with { Scheduler = new() { MaxQueue = 0 } },
        ["max wait"] = c => c with { Scheduler = new() { MaxWait = TimeSpan.FromSeconds(-1) } },
        ["default deadline"] = c => c with { Scheduler = new() { DefaultDeadline = TimeSpan.Zero } },
        ["port"] = c => c with { Server = new() { Port = 65536 } },
        ["negative port"] = c => c with { Server = new() { Port = -1 } },
        ["max body"] = c => c with { Server = new() { MaxBodyBytes = 0 } },
        ["max prompt"] = c => c with { Server = new() { MaxPromptChars = 0 } },
        ["host"] = c => c with { Server = new() { Host = "" } },
        ["cpu memory"] = c => c with { Devices = new() { CpuMemory = 0 } },
        ["gpu memory"] = c => c with { Devices = new() { Gpus = [new GpuDevice(0, 0)] } },
        ["gpu index twice"] = c => c with { Devices = new() { Gpus = [new GpuDevice(0, 1), new GpuDevice(0, 1)] } },
        ["key hash"] = c => c with { Auth = new() { AdminKeyHashes = ["plain-key"] } },
    };

    [Theory]
    [InlineData("empty name", "models[0].name", "a name is required")]
    [InlineData("bad name", "models[0].name", "'a b' is not a valid name; use letters, digits and . _ : - (no '/', '..' or control characters: names are used in URLs)")]
    [InlineData("slash in name", "models[0].name", "'org/m' is not a valid name")]
    [InlineData("dot dot name", "models[0].name", "'..' is not a valid name")]
    [InlineData("control in name", "models[0].name", "'m\\u000A' is not a valid name")]
    [InlineData("slash in task name", "tasks[0].name", "'a/../t' is not a valid name")]
    [InlineData("duplicate model", "models[1].name", "'m' is already the name of models[0]; names must be unique")]
    [InlineData("duplicate task", "tasks[1].name", "'t' is already the name of tasks[0]; names must be unique")]
    [InlineData("task named like model", "tasks[0].name", "'m' is also the name of models[0]; a task and a model may not share a name")]
    [InlineData("builtin without path", "models[0].path", "a builtin model needs path, the GGUF file")]
    [InlineData("process without command", "models[0].command", "a process model needs command")]
    [InlineData("process without port", "models[0].command", "the command must contain {port}")]
    [InlineData("process path placeholder", "models[0].path", "the command uses {path} but path is not set")]
    [InlineData("command on builtin", "models[0].command", "command applies only to backends process, slurm and kubernetes (this model's backend is builtin)")]
    [InlineData("http without url", "models[0].url", "an http model needs url")]
    [InlineData("slurm without jobs.slurm", "models[0].backend", "backend slurm runs replicas as slurm jobs and needs a jobs.slurm section")]
    [InlineData("kubernetes without image", "models[0].image", "a kubernetes model needs image, the container image its server runs in")]
    [InlineData("kubernetes blank image", "models[0].image", "a kubernetes model needs image")]
    [InlineData("kubernetes bad image", "models[0].image", "'Yard Server:1' is not an image reference; use [host[:port]/]name[:tag][@digest] in lower case")]
    [InlineData("kubernetes without jobs.kubernetes", "models[0].backend", "backend kubernetes runs replicas as kubernetes jobs and needs a jobs.kubernetes section")]
    [InlineData("image on builtin", "models[0].image", "image applies only to backend kubernetes (this model's backend is builtin)")]
    [InlineData("image on process", "models[0].image", "image applies only to backend kubernetes (this model's backend is process)")]
    [InlineData("http relative url", "models[0].url", "'/v1' is not an absolute http or https URL")]
    [InlineData("http ftp url", "models[0].url", "'ftp://host/v1' is not an absolute http or https URL")]
    [InlineData("url on builtin", "models[0].url", "url applies only to backend http")]
    [InlineData("slots", "models[0].slots", "must be at least 1 (was 0)")]
    [InlineData("replicas max", "models[0].replicas.max", "must be at least 1 (was 0)")]
    [InlineData("replicas min above max", "models[0].replicas.min", "must not exceed replicas.max (min 2, max 1)")]
    [InlineData("replicas min negative", "models[0].replicas.min", "must not be negative (was -1)")]
    [InlineData("memory", "models[0].memory", "must be positive when given (was 0)")]
    [InlineData("context", "models[0].context", "must be at least 1 token when given")]
    [InlineData("threads", "models[0].threads", "must be at least 1 when given")]
    [InlineData("gpu without gpus", "models[0].device", "device gpu needs at least one GPU in devices.gpus, which is empty")]
    [InlineData("keep alive", "models[0].keep_alive", "must not be negative (was -1000ms)")]
    [InlineData("ready timeout", "models[0].ready_timeout", "must be positive (was 0ms)")]
    [InlineData("stop grace", "models[0].stop_grace", "must not be negative")]
    [InlineData("cost", "models[0].cost", "must be a non-negative number")]
    [InlineData("preempt on http", "models[0].preempt", "an http backend's engine is not run here and cannot be asked to preempt")]
    [InlineData("no models", "tasks[0].models", "a task needs at least one candidate model; declared models: m")]
    [InlineData("undeclared model", "tasks[0].models[1]", "'x' is not a declared model; declared models: m")]
    [InlineData("weight", "tasks[0].weight", "must be positive (was 0)")]
    [InlineData("max concurrency", "tasks[0].max_concurrency", "must be at least 1 when given (was 0)")]
    [InlineData("rate", "tasks[0].rate", "must be positive (was 0/s)")]
    [InlineData("burst", "tasks[0].rate.burst", "must be at least 1 (was 0)")]
    [InlineData("ttft", "tasks[0].slo.ttft", "must be positive (was 0ms)")]
    [InlineData("latency", "tasks[0].slo.latency", "must be positive (was -1000ms)")]
    [InlineData("ttft above latency", "tasks[0].slo.ttft", "must not exceed slo.latency")]
    [InlineData("priority", "tasks[0].priority", "unknown priority 9; use critical | high | normal | low | batch")]
    [InlineData("queue policy", "scheduler.queue", "unknown policy 'edf'; use fair | fair-sjf | fcfs")]
    [InlineData("eviction policy", "scheduler.eviction", "unknown policy 'mru'; use session-lfu | gdsf | lru")]
    [InlineData("routing policy", "scheduler.routing", "unknown policy 'random'; use least-outstanding | p2c")]
    [InlineData("max queue", "scheduler.max_queue", "must be at least 1 (was 0)")]
    [InlineData("max wait", "scheduler.max_wait", "must not be negative")]
    [InlineData("default deadline", "scheduler.default_deadline", "must be positive")]
    [InlineData("port", "server.port", "must be between 0 and 65535 (was 65536)")]
    [InlineData("negative port", "server.port", "must be between 0 and 65535 (was -1)")]
    [InlineData("max body", "server.max_body", "must be positive (was 0)")]
    [InlineData("max prompt", "server.max_prompt_chars", "must be positive (was 0)")]
    [InlineData("host", "server.host", "must not be empty")]
    [InlineData("cpu memory", "devices.cpu.memory", "must be positive (was 0)")]
    [InlineData("gpu memory", "devices.gpus[0].memory", "must be positive (was 0)")]
    [InlineData("gpu index twice", "devices.gpus[1].index", "GPU 0 is already devices.gpus[0]")]
    [InlineData("key hash", "auth.admin_keys[0]", "must be a SHA-256 hash: 64 lower-case hex digits")]
    public void Validate_OneRuleBroken_OneErrorNamingFieldAndRule(string name, string field, string message)
    {
        var errors = DefinitionValidator.Validate(_cases[name](_valid));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal($"{field}: {error.Message}", error.ToString());
    }

    [Fact]
    public void Validate_Cases_EveryCaseIsInTheTable() =>
        Assert.Equal(_cases.Count, typeof(DefinitionValidatorTests).GetMethod(nameof(Validate_OneRuleBroken_OneErrorNamingFieldAndRule))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Length);

    [Fact]
    public void Validate_ValidConfig_NoErrors()
    {
        var config = _valid with
        {
            Devices = new() { Gpus = [new GpuDevice(0, 80L << 30)] },
            Models =
            [
                _model with { Device = DeviceKind.Gpu, KeepAlive = null, Memory = 1 },
                new ModelDefinition { Name = "p.q:1.0_x-y", Backend = BackendKind.Process, Command = "serve --port {port}" },
                new ModelDefinition { Name = "h", Backend = BackendKind.Http, Url = new Uri("https://api.example.com/v1") },
            ],
            Tasks = [_task with { Models = ["m", "p.q:1.0_x-y", "h"], Rate = new RateLimit(0.5, 1), Ttft = TimeSpan.FromSeconds(1), Latency = TimeSpan.FromSeconds(1) }],
        };

        Assert.Empty(DefinitionValidator.Validate(config));
        Assert.Empty(DefinitionValidator.Validate(new YardConfig()));
    }

    [Fact]
    public void Validate_KubernetesModelWithImageAndJobsKubernetes_NoErrors() =>
        Assert.Empty(DefinitionValidator.Validate(Model(_valid, _kubernetes with { Device = DeviceKind.Gpu }) with { Jobs = new JobSettings { Kubernetes = new KubernetesSettings() } }));

    [Fact]
    public void Validate_SeveralRulesBroken_AllReported()
    {
        var config = _valid with
        {
            Server = new() { Port = 70000 },
            Models = [_model with { Slots = 0, ReplicasMax = 0 }],
            Tasks = [_task with { Models = ["zz"], Weight = -1 }],
        };

        Assert.Equal(
            ["server.port", "models[0].slots", "models[0].replicas.max", "tasks[0].models[0]", "tasks[0].weight"],
            DefinitionValidator.Validate(config).Select(e => e.Field));
    }

    [Fact]
    public void ValidateModel_FromApi_FieldsWithoutPrefixAndNamesChecked()
    {
        var errors = DefinitionValidator.ValidateModel(_model with { Slots = 0 }, new DeviceSettings(), ["m"], []);

        Assert.Equal(["slots: must be at least 1 (was 0)", "name: a model named 'm' already exists"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateModel_NameOfATask_Error() =>
        Assert.Equal("name", Assert.Single(DefinitionValidator.ValidateModel(_model, new DeviceSettings(), [], ["m"])).Field);

    [Fact]
    public void ValidateModel_ProcessFromApi_Refused()
    {
        var process = new ModelDefinition { Name = "p", Backend = BackendKind.Process, Command = "rm -rf / {port}" };

        Assert.Equal("backend", Assert.Single(DefinitionValidator.ValidateModel(process, new DeviceSettings(), [], [])).Field);
        Assert.Empty(DefinitionValidator.ValidateModel(process with { FromConfig = true }, new DeviceSettings(), [], []));
    }

    [Fact]
    public void ValidateTask_FromApi_ModelsCheckedAgainstRegistry()
    {
        var errors = DefinitionValidator.ValidateTask(_task with { Models = ["m", "gone"] }, ["m", "b"], []);

        Assert.Equal("models[1]: 'gone' is not a declared model; declared models: b, m", Assert.Single(errors).ToString());
    }

    [Fact]
    public void ValidateTask_ExistingNames_Refused()
    {
        Assert.Equal("name: a task named 't' already exists", Assert.Single(DefinitionValidator.ValidateTask(_task, ["m"], ["t"])).ToString());
        Assert.Equal("name: 'm' is the name of a model; a task and a model may not share a name", Assert.Single(DefinitionValidator.ValidateTask(_task with { Name = "m" }, ["m"], [])).ToString());
    }

    [Theory]
    [InlineData("stories", true)]
    [InlineData("model:q8_0-v1.2", true)]
    [InlineData("org/model:q8_0-v1.2", false)]
    [InlineData("..", false)]
    [InlineData("a..b", false)]
    [InlineData("a\0b", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    [InlineData("a?b", false)]
    public void IsValidName_Characters(string name, bool valid) => Assert.Equal(valid, DefinitionValidator.IsValidName(name));

    [Fact]
    public void ConfigError_ToString_WithLocation() =>
        Assert.Equal("yard.yaml:3:5: models[0].slots: must be at least 1", new ConfigError("models[0].slots", "must be at least 1") { File = "yard.yaml", Line = 3, Column = 5 }.ToString());

    private static YardConfig Model(YardConfig c, ModelDefinition model) => c with { Models = [model] };

    private static YardConfig Task(YardConfig c, TaskDefinition task) => c with { Tasks = [task] };
}
