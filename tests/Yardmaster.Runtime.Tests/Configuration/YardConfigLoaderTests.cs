using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Runtime.Tests.Configuration;

public sealed class YardConfigLoaderTests : IDisposable
{
    private const string Model = "models:\n  - name: m\n    path: m.gguf\n";
    private readonly TempDirectory _dir = new();

    /// <summary>The model files the configs below name are real (the loader checks each one's GGUF header).</summary>
    public YardConfigLoaderTests()
    {
        Directory.CreateDirectory(_dir.File("sub"));
        foreach (var name in new[] { "m.gguf", "n.gguf", Path.Combine("sub", "m.gguf") })
        {
            File.Copy(SharedModels.Stories260K, _dir.File(name));
        }
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    // Unknown keys, with the closest known key or the list of known keys.
    [InlineData("server:\n  prot: 8080\n", 2, 3, "server.prot", "unknown key 'prot'; did you mean 'port'?")]
    [InlineData(Model + "    slot: 2\n", 4, 5, "models[0].slot", "did you mean 'slots'?")]
    [InlineData("store:\n  zzzzzz: 1\n", 2, 3, "store.zzzzzz", "unknown key 'zzzzzz'; known keys: path, url, password_env, lease")]
    [InlineData("pool:\n  reserve: 1GiB\n", 2, 3, "pool.reserve", "unknown key 'reserve'; known keys: serving_reserve, background_threads_follow_steps")]
    [InlineData("pool:\n  background_threads_follow_steps: often\n", 2, 36, "pool.background_threads_follow_steps", "expected true, false or a class (critical | high | normal | low | batch); found 'often'")]
    [InlineData("modles: []\n", 1, 1, "modles", "did you mean 'models'?")]
    // Wrong types.
    [InlineData("server:\n  port: abc\n", 2, 9, "server.port", "expected an integer; found 'abc'")]
    [InlineData("server: 8080\n", 1, 9, "server", "expected a mapping with keys host, port")]
    [InlineData("models: {name: m}\n", 1, 9, "models", "expected a list of models; found a mapping")]
    [InlineData(Model + "    pinned: maybe\n", 4, 13, "models[0].pinned", "expected true or false; found 'maybe'")]
    [InlineData(Model + "    cost: cheap\n", 4, 11, "models[0].cost", "expected a number; found 'cheap'")]
    [InlineData(Model + "    command: [a]\n", 4, 14, "models[0].command", "expected a string; found a sequence")]
    [InlineData("- a\n- b\n", 1, 1, null, "expected a mapping with keys server, store")]
    // Quantities.
    [InlineData("devices:\n  cpu:\n    memory: lots\n", 3, 13, "devices.cpu.memory", "'lots' is not a size")]
    [InlineData("server:\n  max_body: 1XB\n", 2, 13, "server.max_body", "is not a size")]
    [InlineData("pool:\n  serving_reserve: lots\n", 2, 20, "pool.serving_reserve", "'lots' is not a size")]
    [InlineData("scheduler:\n  max_wait: 10\n", 2, 13, "scheduler.max_wait", "'10' is not a duration")]
    [InlineData(Model + "    keep_alive: -5m\n", 4, 17, "models[0].keep_alive", "is not a duration")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    rate: 50 per second\n", 7, 11, "tasks[0].rate", "'50 per second' is not a rate")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    slo: { ttft: fast }\n", 7, 18, "tasks[0].slo.ttft", "is not a duration")]
    // Enumerations list what is allowed.
    [InlineData("models:\n  - name: m\n    backend: docker\n", 3, 14, "models[0].backend", "unknown value 'docker'; use builtin | process | http | slurm | kubernetes")]
    [InlineData("models:\n  - name: p\n    backend: proces\n    path: m.gguf\n", 3, 14, "models[0].backend", "unknown value 'proces'; use builtin | process | http | slurm | kubernetes")]
    [InlineData(Model + "    device: tpu\n", 4, 13, "models[0].device", "use cpu | gpu")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    priority: urgent\n", 7, 15, "tasks[0].priority", "use critical | high | normal | low | batch")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    cache: { max_bytes: lots }\n", 7, 25, "tasks[0].cache.max_bytes", "'lots' is not a size")]
    [InlineData(Model + "tasks:\n  - name: t\n    ensemble: { members: [m], combine: best }\n", 6, 40, "tasks[0].ensemble.combine", "use first | vote | all | judge")]
    [InlineData(Model + "tasks:\n  - name: t\n    ensemble: { combine: vote }\n", 6, 15, "tasks[0].ensemble.members", "an ensemble needs members")]
    // Duplicate keys are reported, not thrown.
    [InlineData("server:\n  port: 1\n  port: 2\n", 3, 3, "server.port", "duplicate key 'port' (first at line 2)")]
    public void Load_InvalidInput_ErrorAtFileLineColumnAndField(string yaml, int line, int column, string? field, string message) =>
        AssertSingleError(yaml, line, column, field, message);

    [Theory]
    [InlineData("models:\n  - name: m\n", 2, 5, "models[0].path", "a builtin model needs path")]
    [InlineData("models:\n  - name: p\n    backend: process\n    command: run --model {path}\n    path: m.gguf\n", 4, 14, "models[0].command", "must contain {port}")]
    [InlineData("models:\n  - name: p\n    backend: process\n", 2, 5, "models[0].command", "a process model needs command")]
    [InlineData("models:\n  - name: h\n    backend: http\n", 2, 5, "models[0].url", "an http model needs url")]
    [InlineData("models:\n  - name: h\n    backend: http\n    url: ftp://example.com/v1\n", 4, 10, "models[0].url", "not an absolute http or https URL")]
    [InlineData("models:\n  - name: h\n    backend: http\n    url: /v1\n", 4, 10, "models[0].url", "not an absolute http or https URL")]
    [InlineData(Model + "    slots: 0\n", 4, 12, "models[0].slots", "must be at least 1 (was 0)")]
    [InlineData(Model + "    replicas: { min: 3, max: 2 }\n", 4, 22, "models[0].replicas.min", "must not exceed replicas.max")]
    [InlineData(Model + "    replicas: { max: 0 }\n", 4, 22, "models[0].replicas.max", "must be at least 1")]
    [InlineData(Model + "    memory: 0\n", 4, 13, "models[0].memory", "must be positive")]
    [InlineData("devices: { cpu: { memory: 1GiB } }\npool: { serving_reserve: 2GiB }\n", 2, 26, "pool.serving_reserve", "2.0 GiB is more than the host memory of devices.cpu.memory (1.0 GiB)")]
    [InlineData(Model + "    device: gpu\n", 4, 13, "models[0].device", "devices.gpus, which is empty")]
    [InlineData(Model + "    ready_timeout: 0\n", 4, 20, "models[0].ready_timeout", "must be positive")]
    [InlineData("models:\n  - name: a b\n    path: m.gguf\n", 2, 11, "models[0].name", "'a b' is not a valid name")]
    [InlineData("models:\n  - path: m.gguf\n", 2, 5, "models[0].name", "a name is required")]
    [InlineData(Model + "  - name: m\n    path: n.gguf\n", 4, 11, "models[1].name", "'m' is already the name of models[0]")]
    [InlineData(Model + "tasks:\n  - name: m\n    models: [m]\n", 5, 11, "tasks[0].name", "a task and a model may not share a name")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m, nope]\n", 6, 17, "tasks[0].models[1]", "'nope' is not a declared model; declared models: m")]
    [InlineData(Model + "tasks:\n  - name: t\n", 5, 5, "tasks[0].models", "at least one candidate model; declared models: m")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    weight: 0\n", 7, 13, "tasks[0].weight", "must be positive")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    quality: { metric: triage-v1, min: 1.5 }\n", 7, 40, "tasks[0].quality.min", "must be a score in [0, 1] (was 1.5)")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    quality: { min: 0.5 }\n", 7, 14, "tasks[0].quality.metric", "quality needs metric")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    max_concurrency: 0\n", 7, 22, "tasks[0].max_concurrency", "must be at least 1")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    rate: { rate: 5/s, burst: 0 }\n", 7, 31, "tasks[0].rate.burst", "must be at least 1")]
    [InlineData(Model + "tasks:\n  - name: t\n    models: [m]\n    slo: { ttft: 2s, latency: 1s }\n", 7, 18, "tasks[0].slo.ttft", "must not exceed slo.latency")]
    [InlineData("scheduler:\n  queue: random\n", 2, 10, "scheduler.queue", "unknown policy 'random'; use fair | fair-sjf | fcfs")]
    [InlineData("scheduler:\n  eviction: mru\n", 2, 13, "scheduler.eviction", "use session-lfu | gdsf | lru")]
    [InlineData("scheduler:\n  routing: random\n", 2, 12, "scheduler.routing", "use least-outstanding | p2c")]
    [InlineData("scheduler:\n  default_deadline: 0\n", 2, 21, "scheduler.default_deadline", "must be positive")]
    [InlineData("scheduler:\n  adapt: { every: 0s }\n", 2, 19, "scheduler.adapt.every", "must be at least 1s (was 0s)")]
    [InlineData("scheduler:\n  adapt: { objective: latency }\n", 2, 23, "scheduler.adapt.objective", "unknown objective 'latency'; use slo | goodput")]
    [InlineData("scheduler:\n  adapt:\n    bounds: { max_wait: { batch: { min: 10m, max: 1m } } }\n", 3, 34, "scheduler.adapt.bounds.max_wait.batch", "needs 0 <= min <= max (was min 10m, max 1m)")]
    [InlineData("scheduler:\n  adapt:\n    bounds: { queue: [fair, lifo] }\n", 3, 22, "scheduler.adapt.bounds.queue", "unknown policy 'lifo'; use fair | fair-sjf | fcfs")]
    [InlineData("scheduler:\n  adapt:\n    bounds: { eviction: [mru] }\n", 3, 25, "scheduler.adapt.bounds.eviction", "unknown policy 'mru'; use session-lfu | gdsf | lru")]
    [InlineData("scheduler:\n  adapt:\n    bounds: { max_queue: { min: 5 } }\n", 3, 26, "scheduler.adapt.bounds.max_queue.max", "max is required")]
    [InlineData("scheduler:\n  adapt: { every: 1h }\nhistory: { enabled: false }\n", 2, 10, "scheduler.adapt", "needs the request log it tunes on")]
    [InlineData("server:\n  port: 70000\n", 2, 9, "server.port", "between 0 and 65535")]
    [InlineData("server:\n  max_body: 0\n", 2, 13, "server.max_body", "must be positive")]
    [InlineData("devices:\n  gpus:\n    - { index: 0 }\n", 3, 7, "devices.gpus[0].memory", "memory is required")]
    public void Load_SemanticError_LocatedAtTheOffendingNode(string yaml, int line, int column, string field, string message) =>
        AssertSingleError(yaml, line, column, field, message);

    [Theory]
    [InlineData("server:\n  host: 'open\n", 2, 9, "invalid YAML")]
    [InlineData("server: { port: 1\n", 2, 1, "invalid YAML")]
    [InlineData("a: [1, 2\nb: 3\n", 1, 6, "invalid YAML")]
    [InlineData("server: {}\n---\nstore: {}\n", 2, 1, "one YAML document")]
    public void Load_InvalidSyntax_ErrorWithLine(string yaml, int line, int column, string message) =>
        AssertSingleError(yaml, line, column, field: null, message);

    [Fact]
    public void Load_SeveralErrors_AllReportedInFileOrder()
    {
        var errors = Load("server:\n  port: abc\n  hots: x\nmodels:\n  - name: m\n    slots: 0\ntasks:\n  - name: t\n    models: [zz]\n    priority: soon\n").Errors;

        var file = _dir.File("yard.yaml");
        Assert.Equal(
            [
                $"{file}:2:9: server.port: expected an integer; found 'abc'",
                $"{file}:3:3: server.hots: unknown key 'hots'; did you mean 'host'?",
                $"{file}:5:5: models[0].path: a builtin model needs path, the GGUF file",
                $"{file}:6:12: models[0].slots: must be at least 1 (was 0)",
                $"{file}:9:14: tasks[0].models[0]: 'zz' is not a declared model; declared models: m",
                $"{file}:10:15: tasks[0].priority: unknown value 'soon'; use critical | high | normal | low | batch",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_MissingFile_ErrorNotException()
    {
        var path = _dir.File("absent.yaml");

        var result = YardConfigLoader.Load(path);

        Assert.Null(result.Config);
        Assert.Equal($"{path}: the file does not exist", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_Directory_ErrorNotException()
    {
        var result = YardConfigLoader.Load(_dir.Path);

        Assert.Null(result.Config);
        Assert.StartsWith($"{_dir.Path}: the file cannot be read", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_Defaults()
    {
        var result = Load(string.Empty);

        Assert.Empty(result.Errors);
        Assert.Equal(new ServerSettings(), result.Config!.Server);
        Assert.Empty(result.Config.Models);
    }

    [Fact]
    public void Load_FullModelAndTask_MappedWithRelativePathsResolvedAndFromConfig()
    {
        var config = LoadValid("""
            store: { path: data/yard.db }
            devices: { cpu: { memory: 2GiB }, gpus: [{ index: 1, memory: 16GiB, name: T4 }] }
            models:
              - name: m
                path: sub/m.gguf
                device: gpu
                memory: 64MiB
                slots: 3
                context: 512
                threads: 2
                replicas: { min: 1, max: 2 }
                keep_alive: -1
                pinned: true
                ready_timeout: 5s
                stop_grace: 1500ms
                cost: 0.5
              - name: h
                backend: http
                url: http://127.0.0.1:9000/v1
                api_key_env: REMOTE_KEY
                upstream_model: gpt-x
                keep_alive: 0
            tasks:
              - name: chat
                priority: high
                slo: { ttft: 500ms, latency: 10s }
                models: [m, h]
                max_concurrency: 16
                rate: 50/s
                weight: 2
                quality: { metric: triage-v1, min: 0.8 }
              - name: bulk
                models: [h]
                rate: { rate: 600/m, burst: 20 }
            """);

        Assert.Equal(Path.Combine(_dir.Path, "data", "yard.db"), config.Store.Path);
        Assert.Equal(_dir.File("yard.yaml"), config.SourceFile);
        Assert.Equal(2L << 30, config.Devices.CpuMemory);
        Assert.Equal(new GpuDevice(1, 16L << 30, "T4"), Assert.Single(config.Devices.Gpus));
        var m = config.Models[0];
        Assert.Equal(
            new ModelDefinition
            {
                Name = "m", Path = Path.Combine(_dir.Path, "sub", "m.gguf"), Device = DeviceKind.Gpu, Memory = 64L << 20, Slots = 3, Context = 512, Threads = 2,
                ReplicasMin = 1, ReplicasMax = 2, KeepAlive = null, Pinned = true, ReadyTimeout = TimeSpan.FromSeconds(5), StopGrace = TimeSpan.FromMilliseconds(1500),
                Cost = 0.5, FromConfig = true,
            },
            m);
        var h = config.Models[1];
        Assert.Equal((BackendKind.Http, new Uri("http://127.0.0.1:9000/v1"), "REMOTE_KEY", "gpt-x", TimeSpan.Zero), (h.Backend, h.Url, h.ApiKeyEnv, h.UpstreamModel, h.KeepAlive));
        var chat = config.Tasks[0];
        Assert.Equal((PriorityClass.High, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 16, new RateLimit(50, 50), 2.0, true), (chat.Priority, chat.Ttft, chat.Latency, chat.MaxConcurrency, chat.Rate, chat.Weight, chat.FromConfig));
        Assert.Equal(["m", "h"], chat.Models);
        Assert.Equal(new QualityFloor("triage-v1", 0.8), chat.Quality);
        Assert.Null(config.Tasks[1].Quality);
        Assert.Equal(new RateLimit(10, 20), config.Tasks[1].Rate);
        Assert.Equal(PriorityClass.Normal, config.Tasks[1].Priority);
    }

    [Fact]
    public void Load_MaxWaitScalar_OneBoundForEveryClass()
    {
        var scheduler = Load("scheduler:\n  max_wait: 45s\n").Config!.Scheduler;
        Assert.All(PriorityClasses.All, c => Assert.Equal(TimeSpan.FromSeconds(45), scheduler.QueueOptions.MaxWaitFor(c)));
    }

    [Fact]
    public void Load_MaxWaitMap_PerClassWithDefaultsForTheRest()
    {
        var scheduler = Load("scheduler:\n  max_wait: { default: 20s, batch: 10m }\n").Config!.Scheduler;
        Assert.Equal(TimeSpan.FromSeconds(20), scheduler.QueueOptions.MaxWaitFor(PriorityClass.High));
        Assert.Equal(TimeSpan.FromMinutes(2), scheduler.QueueOptions.MaxWaitFor(PriorityClass.Low));
        Assert.Equal(TimeSpan.FromMinutes(10), scheduler.QueueOptions.MaxWaitFor(PriorityClass.Batch));
    }

    [Fact]
    public void Load_Adapt_EveryKeyRead()
    {
        var adapt = Load("scheduler:\n  adapt:\n    every: 30m\n    window: 12h\n    objective: goodput\n    margin: 0.05\n    seeds: 5\n    budget: 2m\n    min_requests: 1000\n    bounds:\n      queue: [fair]\n      max_queue: { min: 256, max: 4096 }\n      max_wait: { batch: { min: 1m, max: 30m } }\n").Config!.Scheduler.Adapt!;

        Assert.Equal((TimeSpan.FromMinutes(30), TimeSpan.FromHours(12), "goodput", 0.05, 5, TimeSpan.FromMinutes(2), 1000), (adapt.Every, adapt.Window, adapt.Objective, adapt.Margin, adapt.Seeds, adapt.Budget, adapt.MinRequests));
        Assert.Equal(["fair"], adapt.Bounds!.Queues!);
        Assert.Equal((256, 4096), adapt.Bounds.MaxQueue);
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30)), Assert.Single(adapt.Bounds.MaxWait).Value);
        Assert.Null(Load("scheduler:\n  queue: fair\n").Config!.Scheduler.Adapt);
    }

    [Fact]
    public void Load_AdaptBoundOfAClassItDoesNotMove_ErrorNamesTheKey()
    {
        var error = Assert.Single(Load("scheduler:\n  adapt:\n    bounds: { max_wait: { high: { min: 1s, max: 1m } } }\n").Errors);
        Assert.Equal((3, "scheduler.adapt.bounds.max_wait.high"), (error.Line, error.Field));
        Assert.Contains("default", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MaxWaitMapUnknownClass_ErrorSuggestsTheClosest()
    {
        var error = Assert.Single(Load("scheduler:\n  max_wait: { bach: 10m }\n").Errors);
        Assert.Equal((2, "scheduler.max_wait.bach"), (error.Line, error.Field));
        Assert.Contains("batch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KubernetesModel_ImageAndCommandRead()
    {
        var config = LoadValid("jobs:\n  kubernetes: { namespace: ml }\nmodels:\n  - name: k\n    backend: kubernetes\n    image: ghcr.io/example/yard:1.0\n    command: \"yard model-server --host 0.0.0.0 --port {port}\"\n");

        Assert.Equal((BackendKind.Kubernetes, "ghcr.io/example/yard:1.0", "yard model-server --host 0.0.0.0 --port {port}"), (config.Models[0].Backend, config.Models[0].Image, config.Models[0].Command));
    }

    [Fact]
    public void Load_AbsolutePath_KeptAsWritten()
    {
        var config = LoadValid($"models:\n  - name: m\n    path: {_dir.File("m.gguf")}\n");

        Assert.Equal(_dir.File("m.gguf"), config.Models[0].Path);
    }

    [Fact]
    public void Load_Keys_OnlyHashesKept()
    {
        const string Plain = "s3cret-key";
        const string FromEnv = "env-key-1";
        var prehashed = AuthSection.Hash("already-hashed");
        var environment = new Dictionary<string, string?> { ["YARD_TEST_KEYS"] = $"{FromEnv}, env-key-2" };

        var result = Load(
            $"auth:\n  api_keys: [{Plain}, 'sha256:{prehashed.ToUpperInvariant()}']\n  api_keys_env: YARD_TEST_KEYS\n  admin_keys: [admin-key]\n",
            name => environment.GetValueOrDefault(name));

        var auth = Assert.IsType<YardConfig>(result.Config).Auth;
        Assert.Equal([AuthSection.Hash(Plain), prehashed, AuthSection.Hash(FromEnv), AuthSection.Hash("env-key-2")], auth.ApiKeyHashes);
        Assert.Equal([AuthSection.Hash("admin-key")], auth.AdminKeyHashes);
        Assert.All(auth.ApiKeyHashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.DoesNotContain(Plain, result.Config!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FromEnv, result.Config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_KnownVector_LowerCaseHexSha256() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AuthSection.Hash("abc"));

    [Fact]
    public void Load_KeysEnvUnset_ErrorRatherThanAnOpenServer()
    {
        var errors = Load("auth:\n  admin_keys_env: YARD_TEST_UNSET\n", _ => null).Errors;

        Assert.Equal($"{_dir.File("yard.yaml")}:2:19: auth.admin_keys_env: environment variable 'YARD_TEST_UNSET' is not set or empty; set it to comma-separated keys or remove admin_keys_env", Assert.Single(errors).ToString());
    }

    [Fact]
    public void Load_BadPrehashedKey_ErrorDoesNotQuoteTheKey()
    {
        var errors = Load("auth:\n  api_keys: ['sha256:notreallyhex', plain-and-fine]\n").Errors;

        var error = Assert.Single(errors);
        Assert.Equal("auth.api_keys[0]", error.Field);
        Assert.Equal((2, 14), (error.Line, error.Column));
        Assert.DoesNotContain("notreallyhex", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeysNotAList_ErrorDoesNotQuoteTheKey()
    {
        var error = Assert.Single(Load("auth:\n  api_keys: my-secret-key\n").Errors);

        Assert.Equal($"{_dir.File("yard.yaml")}:2:13: auth.api_keys: expected a list of keys, e.g. [key-1, 'sha256:<64 hex digits>']", error.ToString());
    }

    [Fact]
    public void Load_CacheAndEnsemble_EveryKeyRead()
    {
        var result = Load(Model + """
            tasks:
              - name: t
                models: [m]
                cache: { ttl: 90s, max_entries: 50, max_bytes: 2MiB }
              - name: e
                ensemble: { members: [m, t], combine: judge, judge: m, min_members: 2 }
                cache: {}
            """);

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        var tasks = result.Config!.Tasks;
        Assert.Equal(new ResultCacheSettings { Ttl = TimeSpan.FromSeconds(90), MaxEntries = 50, MaxBytes = 2L << 20 }, tasks[0].Cache);
        Assert.Equal(new EnsembleSettings { Members = ["m", "t"], Combine = EnsembleCombine.Judge, Judge = "m", MinMembers = 2 }, tasks[1].Ensemble);
        Assert.Equal(new ResultCacheSettings(), tasks[1].Cache);
        Assert.Empty(tasks[1].Models);
        // The file's task and the API's JSON of it are the same definition.
        Assert.True(DefinitionJson.TryReadTask(System.Text.Json.JsonDocument.Parse(DefinitionJson.ToJson(tasks[1])).RootElement, out var read, out _));
        Assert.Equal(tasks[1] with { FromConfig = false, Models = read.Models }, read);
    }

    [Fact]
    public void Load_SampleConfig_Valid()
    {
        var result = YardConfigLoader.Load(Path.Combine(SharedModels.RepositoryRoot, "samples", "yard.yaml"), _ => null);

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        var config = result.Config!;
        Assert.Equal(["stories", "served-by-child", "remote"], config.Models.Select(m => m.Name));
        Assert.Equal(["chat", "batch"], config.Tasks.Select(t => t.Name));
        // The sample points at the test model kept in the checkout, so it starts as it is on a fresh clone.
        Assert.Equal(SharedModels.Stories260K, config.Models[0].Path);
    }

    [Theory]
    [InlineData("", PriorityClass.Normal)]
    [InlineData("pool: { serving_reserve: 0 }\n", PriorityClass.Normal)]
    [InlineData("pool: { background_threads_follow_steps: false }\n", null)]
    [InlineData("pool: { background_threads_follow_steps: true }\n", PriorityClass.Low)]
    [InlineData("pool: { background_threads_follow_steps: normal }\n", PriorityClass.Normal)]
    [InlineData("pool: { background_threads_follow_steps: Batch }\n", PriorityClass.Batch)]
    public void LoadText_BackgroundThreadsFollowSteps_OffTrueOrAClass(string yaml, PriorityClass? from)
    {
        var result = YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        Assert.Equal(from, result.Config!.Pool.BackgroundThreadsFollowSteps);
    }

    [Fact]
    public void LoadText_ModelAndAllowedDirs_ResolvedAgainstTheFileFolder()
    {
        Directory.CreateDirectory(_dir.File("models"));
        Directory.CreateDirectory(_dir.File("shared"));

        var result = YardConfigLoader.LoadText($"server: {{ model_dirs: [models, {_dir.Path}] }}\njobs: {{ allowed_dirs: [shared] }}\n", "inline.yaml", _dir.Path);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal([_dir.File("models"), _dir.Path], result.Config!.Server.ModelDirs);
        Assert.Equal([_dir.File("shared")], result.Config.Jobs.AllowedDirs);
    }

    [Theory]
    [InlineData("server:\n  model_dirs: [nope]\n", 2, 16, "server.model_dirs[0]")]
    [InlineData("jobs:\n  allowed_dirs: [ok, nope]\n", 2, 22, "jobs.allowed_dirs[1]")]
    public void LoadText_MissingDir_ErrorAtTheEntry(string yaml, int line, int column, string field)
    {
        Directory.CreateDirectory(_dir.File("ok"));

        var error = Assert.Single(YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path).Errors);

        Assert.Equal($"inline.yaml:{line}:{column}: {field}: the directory '{_dir.File("nope")}' does not exist", error.ToString());
    }

    [Fact]
    public void LoadText_ModelSimulation_TheTokenModelTheSimulatorUses()
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation: { prefill_tokens_per_second: 4590, decode_tokens_per_second: 2162, load_time: 150ms }\n";
        var result = YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path);

        Assert.Empty(result.Errors);
        Assert.Equal(new ModelSpeedSettings(4590, 2162, TimeSpan.FromMilliseconds(150)), result.Config!.Models[0].Simulation);
    }

    [Fact]
    public void LoadText_ModelSimulationWithoutDecode_ErrorAtTheModelNamesTheField()
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation: { prefill_tokens_per_second: 100 }\n";
        var error = Assert.Single(YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path).Errors).ToString();

        Assert.StartsWith("inline.yaml:", error, StringComparison.Ordinal);
        Assert.EndsWith("models[0].simulation.decode_tokens_per_second: is required: a number above 0 (measure it with yard model bench FILE)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_ModelSimulationConcurrency_TheTableByIncreasingSequences()
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation:\n      load_time: 150ms\n      concurrency:\n"
            + "        - { sequences: 1, prefill_tokens_per_second: 20697.5, decode_tokens_per_second: 3568 }\n"
            + "        - { sequences: 4, prefill_tokens_per_second: 9000, decode_tokens_per_second: 1256 }\n";
        var result = YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path);

        Assert.Empty(result.Errors);
        var simulation = result.Config!.Models[0].Simulation!;
        Assert.Equal([new ConcurrencySpeedSettings(1, 20697.5, 3568), new ConcurrencySpeedSettings(4, 9000, 1256)], simulation.Concurrency!);
        Assert.Equal(TimeSpan.FromMilliseconds(150), simulation.LoadTime);
    }

    [Theory]
    [InlineData("{ sequences: 2, prefill_tokens_per_second: 900, decode_tokens_per_second: 90 }", 9, "models[0].simulation.concurrency[1].sequences: must be above the row before's (2): rows go by increasing sequences (was 2)")]
    [InlineData("{ sequences: 0, prefill_tokens_per_second: 900, decode_tokens_per_second: 90 }", 9, "models[0].simulation.concurrency[1].sequences: is required: a whole number of sequences at once, at least 1 (was 0)")]
    [InlineData("{ sequences: 4, prefill_tokens_per_second: 900, decode_tokens_per_second: 0 }", 9, "models[0].simulation.concurrency[1].decode_tokens_per_second: is required: a number above 0, tokens per second per sequence (was 0)")]
    [InlineData("{ sequences: 4, decode_tokens_per_second: 90 }", 9, "models[0].simulation.concurrency[1].prefill_tokens_per_second: is required: a number above 0, tokens per second per sequence")]
    [InlineData("{ sequences: 4, prefill_tokens_per_second: 900, decode_tokens_per_second: 90, threads: 2 }", 9, "models[0].simulation.concurrency[1].threads: unknown key 'threads'; known keys: sequences, prefill_tokens_per_second, decode_tokens_per_second")]
    public void LoadText_BadConcurrencyRow_ErrorAtItsLineNamesTheField(string row, int line, string expected)
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation:\n      concurrency:\n"
            + "        - { sequences: 2, prefill_tokens_per_second: 1000, decode_tokens_per_second: 100 }\n"
            + "\n        - " + row + "\n";
        var error = Assert.Single(YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path).Errors).ToString();

        Assert.StartsWith($"inline.yaml:{line}:", error, StringComparison.Ordinal);
        Assert.EndsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_ScalarRateBesideConcurrency_ErrorNamesTheScalar()
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation:\n      decode_tokens_per_second: 100\n"
            + "      concurrency: [{ sequences: 1, prefill_tokens_per_second: 1000, decode_tokens_per_second: 100 }]\n";
        var error = Assert.Single(YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path).Errors).ToString();

        Assert.Equal("inline.yaml:6:33: models[0].simulation.decode_tokens_per_second: not with concurrency: give the rates in the table's rows (or drop the table for one rate at every concurrency)", error);
    }

    [Fact]
    public void LoadText_EmptyConcurrency_ErrorNamesTheTable()
    {
        var yaml = "models:\n  - name: m\n    backend: http\n    url: http://127.0.0.1:9/v1\n    simulation: { concurrency: [] }\n";
        var error = Assert.Single(YardConfigLoader.LoadText(yaml, "inline.yaml", _dir.Path).Errors).ToString();

        Assert.StartsWith("inline.yaml:5:", error, StringComparison.Ordinal);
        Assert.Contains("models[0].simulation.concurrency: needs at least one row", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_BaseDirectory_ResolvesRelativePaths()
    {
        var result = YardConfigLoader.LoadText(Model, "inline.yaml", _dir.Path);

        Assert.Equal(_dir.File("m.gguf"), result.Config!.Models[0].Path);
        Assert.Null(result.Config.SourceFile);
    }

    [Fact]
    public void LoadText_Error_NamesTheGivenFileName()
    {
        var result = YardConfigLoader.LoadText("server:\n  port: x\n", "inline.yaml", "/srv/yard");

        Assert.StartsWith("inline.yaml:2:9: server.port: ", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFileMissing_ErrorAtItsPathNamingTheResolvedFile()
    {
        var errors = Load("models:\n  - name: m\n    path: gone.gguf\n").Errors;

        Assert.Equal($"{_dir.File("yard.yaml")}:3:11: models[0].path: {_dir.File("gone.gguf")} does not exist", Assert.Single(errors).ToString());
    }

    [Theory]
    [InlineData("6e6f74206120676775662066696c65", "is not a GGUF file (it does not start with 'GGUF')")] // "not a gguf file"
    [InlineData("", "is not a GGUF file (it does not start with 'GGUF')")]
    [InlineData("4747554603000000", "is cut short: 8 bytes, less than a GGUF header")]
    [InlineData("47475546010000000000000000000000000000000000000000", "GGUF version 1 is not supported (2 or 3)")]
    [InlineData("4747554603000000ffffffffffffffff0000000000000000", "the GGUF header is corrupt (18446744073709551615 tensors and 0 metadata entries cannot fit in 24 bytes)")]
    public void Load_ModelFileNotAGgufFile_ErrorAtItsPathSayingWhy(string hex, string why)
    {
        var model = _dir.File("bad.gguf");
        File.WriteAllBytes(model, Convert.FromHexString(hex));

        var error = Assert.Single(Load("models:\n  - name: m\n    slots: 2\n    path: bad.gguf\n").Errors);

        Assert.StartsWith($"{_dir.File("yard.yaml")}:4:11: models[0].path: {model}", error.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BuiltinModelPathIsADirectory_Error() =>
        Assert.Equal(
            $"{_dir.File("yard.yaml")}:3:11: models[0].path: {_dir.File("sub")} is a directory; a builtin model needs a GGUF file",
            Assert.Single(Load("models:\n  - name: m\n    path: sub\n").Errors).ToString());

    [Fact]
    public void Load_ProcessModelPath_GgufUnlessMemoryIsDeclared()
    {
        const string Process = "models:\n  - name: p\n    backend: process\n    command: serve {path} --port {port}\n";

        // With memory declared the path goes to the command as it is (a directory for vllm, say), but must exist.
        Assert.Equal(_dir.File("sub"), LoadValid(Process + "    memory: 1GiB\n    path: sub\n").Models[0].Path);
        Assert.Equal(
            $"{_dir.File("yard.yaml")}:6:11: models[0].path: {_dir.File("nowhere")} does not exist",
            Assert.Single(Load(Process + "    memory: 1GiB\n    path: nowhere\n").Errors).ToString());
        // Without it the footprint is estimated from the file's GGUF header, which must be there.
        Assert.Equal(
            $"{_dir.File("yard.yaml")}:5:11: models[0].path: {_dir.File("sub")} is a directory; declare memory (the footprint per replica), which is otherwise estimated from a GGUF file's header",
            Assert.Single(Load(Process + "    path: sub\n").Errors).ToString());
        Assert.Equal(_dir.File("m.gguf"), LoadValid(Process + "    path: m.gguf\n").Models[0].Path);
    }

    [Fact]
    public void Load_SeveralBadModelFiles_EachReportedWithTheOtherErrors()
    {
        var errors = Load("server:\n  port: x\nmodels:\n  - name: a\n    path: a.gguf\n  - name: b\n    path: m.gguf\n  - name: c\n    path: c.gguf\n").Errors;

        Assert.Equal(["server.port", "models[0].path", "models[2].path"], errors.Select(e => e.Field));
    }

    private void AssertSingleError(string yaml, int line, int column, string? field, string message)
    {
        var result = Load(yaml);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column, field ?? error.Field), (error.Line, error.Column, error.Field));
        var prefix = field is null ? $"{_dir.File("yard.yaml")}:{line}:{column}: " : $"{_dir.File("yard.yaml")}:{line}:{column}: {field}: ";
        Assert.StartsWith(prefix, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private ConfigLoadResult Load(string yaml, Func<string, string?>? environment = null)
    {
        var path = _dir.File("yard.yaml");
        File.WriteAllText(path, yaml);
        return YardConfigLoader.Load(path, environment ?? (_ => null));
    }

    private YardConfig LoadValid(string yaml)
    {
        var result = Load(yaml);
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        return result.Config!;
    }
}
