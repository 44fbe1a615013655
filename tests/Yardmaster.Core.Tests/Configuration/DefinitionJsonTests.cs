using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Configuration;

public sealed class DefinitionJsonTests
{
    private const string ModelKeys = "name, backend, path, command, image, url, api_key_env, upstream_model, device, memory, slots, context, threads, replicas, keep_alive, pinned, preempt, ready_timeout, stop_grace, cost, from_config";

    public static TheoryData<string, string> BadModels => new()
    {
        { """[1]""", "a model must be a JSON object, got [1]" },
        { """{}""", "'name' is required" },
        { """{"name":"a b"}""", "'name' must be 1 to 128 letters, digits or . - _ : /, got \"a b\"" },
        { """{"name":"m","slotz":4}""", "unknown field 'slotz'; known fields: " + ModelKeys },
        { """{"name":"m","slots":"four"}""", "'slots' must be an integer >= 1, got \"four\"" },
        { """{"name":"m","slots":0}""", "'slots' must be an integer >= 1, got 0" },
        { """{"name":"m","slots":1.5}""", "'slots' must be an integer >= 1, got 1.5" },
        { """{"name":"m","slots":1,"slots":2}""", "duplicate field 'slots'" },
        { """{"name":"m","backend":"docker"}""", "'backend' must be one of builtin | process | http | slurm | kubernetes, got \"docker\"" },
        { """{"name":"m","device":"tpu"}""", "'device' must be one of cpu | gpu, got \"tpu\"" },
        { """{"name":"m","memory":"lots"}""", "'memory' must be a size of at least 1 byte: an integer of bytes or a string with a unit, e.g. \"64MiB\", got \"lots\"" },
        { """{"name":"m","memory":0}""", "'memory' must be a size of at least 1 byte: an integer of bytes or a string with a unit, e.g. \"64MiB\", got 0" },
        { """{"name":"m","url":"ftp://x/v1"}""", "'url' must be an absolute http or https URL, got \"ftp://x/v1\"" },
        { """{"name":"m","path":""}""", "'path' must be a non-empty string, got \"\"" },
        { """{"name":"m","replicas":{"min":3,"max":2}}""", "'replicas.min' (3) must not exceed 'replicas.max' (2)" },
        { """{"name":"m","replicas":{"mix":1}}""", "unknown field 'replicas.mix'; known fields: min, max" },
        { """{"name":"m","replicas":2}""", "'replicas' must be an object, got 2" },
        { """{"name":"m","keep_alive":"soon"}""", "'keep_alive' must be a duration string (e.g. \"5m\"), 0 for at once, or -1 or \"never\" for never, got \"soon\"" },
        { """{"name":"m","keep_alive":-2}""", "'keep_alive' must be a duration string (e.g. \"5m\"), 0 for at once, or -1 or \"never\" for never, got -2" },
        { """{"name":"m","ready_timeout":"0s"}""", "'ready_timeout' must be a positive duration string, e.g. \"500ms\", \"10s\", \"5m\", got \"0s\"" },
        { """{"name":"m","stop_grace":10}""", "'stop_grace' must be a duration string, e.g. \"500ms\", \"10s\", \"5m\", got 10" },
        { """{"name":"m","pinned":"yes"}""", "'pinned' must be true or false, got \"yes\"" },
        { """{"name":"m","cost":-1}""", "'cost' must be a number >= 0, got -1" },
    };

    public static TheoryData<string, string> BadTasks => new()
    {
        { """{"name":"t"}""", "'models' is required" },
        { """{"name":"t","models":[]}""", "'models' must be a non-empty array of model names, got []" },
        { """{"name":"t","models":["a",3]}""", "'models[1]' must be a non-empty string, got 3" },
        { """{"name":"t","models":["a","a"]}""", "'models[1]' repeats \"a\"" },
        { """{"name":"t","models":["a"],"priority":"urgent"}""", "'priority' must be one of critical | high | normal | low | batch, got \"urgent\"" },
        { """{"name":"t","models":["a"],"slo":{"ttft":"fast"}}""", "'slo.ttft' must be a positive duration string, e.g. \"500ms\", \"10s\", \"5m\", got \"fast\"" },
        { """{"name":"t","models":["a"],"slo":{"p99":"1s"}}""", "unknown field 'slo.p99'; known fields: ttft, latency" },
        { """{"name":"t","models":["a"],"rate":"fifty"}""", "'rate' must be a rate such as \"50/s\", \"600/m\" or {\"per_second\": 50, \"burst\": 100}, got \"fifty\"" },
        { """{"name":"t","models":["a"],"rate":{"burst":5}}""", "'rate.per_second' is required" },
        { """{"name":"t","models":["a"],"rate":{"per_second":0}}""", "'rate.per_second' must be a number > 0, got 0" },
        { """{"name":"t","models":["a"],"rate":{"per_second":5,"burst":0}}""", "'rate.burst' must be an integer >= 1, got 0" },
        { """{"name":"t","models":["a"],"max_concurrency":0}""", "'max_concurrency' must be an integer >= 1, got 0" },
        { """{"name":"t","models":["a"],"weight":0}""", "'weight' must be a number > 0, got 0" },
        { """{"name":"t","models":["a"],"cache":{"ttl":"0s"}}""", "'cache.ttl' must be a positive duration string, e.g. \"500ms\", \"10s\", \"5m\", got \"0s\"" },
        { """{"name":"t","models":["a"],"cache":{"max_entries":0}}""", "'cache.max_entries' must be an integer >= 1, got 0" },
        { """{"name":"t","models":["a"],"cache":{"max_bytes":"lots"}}""", "'cache.max_bytes' must be a size of at least 1 byte: an integer of bytes or a string with a unit, e.g. \"64MiB\", got \"lots\"" },
        { """{"name":"t","models":["a"],"cache":{"size":1}}""", "unknown field 'cache.size'; known fields: ttl, max_entries, max_bytes" },
        { """{"name":"t","ensemble":{}}""", "'ensemble.members' is required" },
        { """{"name":"t","ensemble":{"members":[]}}""", "'ensemble.members' must be a non-empty array of model or task names, got []" },
        { """{"name":"t","ensemble":{"members":["a",""]}}""", "'ensemble.members[1]' must be a non-empty string, got \"\"" },
        { """{"name":"t","ensemble":{"members":["a"],"combine":"best"}}""", "'ensemble.combine' must be one of first | vote | all | judge, got \"best\"" },
        { """{"name":"t","ensemble":{"members":["a"],"min_members":0}}""", "'ensemble.min_members' must be an integer >= 1, got 0" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public void TryReadModel_BadInput_ExactMessage(string json, string expected)
    {
        Assert.False(DefinitionJson.TryReadModel(Parse(json), out var model, out var errors));
        Assert.Null(model);
        Assert.Equal([expected], errors);
    }

    [Theory]
    [MemberData(nameof(BadTasks))]
    public void TryReadTask_BadInput_ExactMessage(string json, string expected)
    {
        Assert.False(DefinitionJson.TryReadTask(Parse(json), out var task, out var errors));
        Assert.Null(task);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void TryReadModel_SeveralErrors_AllReportedAtOnce()
    {
        Assert.False(DefinitionJson.TryReadModel(Parse("""{"slots":"four","slotz":1,"replicas":{"min":-1}}"""), out _, out var errors));
        Assert.Equal(
            [
                "unknown field 'slotz'; known fields: " + ModelKeys,
                "'name' is required",
                "'replicas.min' must be an integer >= 0, got -1",
                "'slots' must be an integer >= 1, got \"four\"",
            ],
            errors);
    }

    [Fact]
    public void TryReadModel_Minimal_Defaults()
    {
        Assert.True(DefinitionJson.TryReadModel(Parse("""{"name":"stories"}"""), out var model, out var errors), string.Join("; ", errors));
        Assert.Equal(DefinitionJson.ToJson(new ModelDefinition { Name = "stories" }), DefinitionJson.ToJson(model));
    }

    [Fact]
    public void TryReadModel_LenientSpellings_Understood()
    {
        const string json = """
            {"name":"m","memory":"64MiB","keep_alive":"never","replicas":{"min":2},"backend":"HTTP",
             "url":"http://127.0.0.1:9000/v1","ready_timeout":"1m30s","from_config":true}
            """;
        Assert.True(DefinitionJson.TryReadModel(Parse(json), out var model, out var errors), string.Join("; ", errors));
        Assert.Equal(64L << 20, model.Memory);
        Assert.Null(model.KeepAlive);
        Assert.Equal((2, 2), (model.ReplicasMin, model.ReplicasMax));
        Assert.Equal(BackendKind.Http, model.Backend);
        Assert.Equal(TimeSpan.FromSeconds(90), model.ReadyTimeout);
        Assert.False(model.FromConfig);
    }

    [Theory]
    [InlineData("-1", null)]
    [InlineData("\"-1\"", null)]
    [InlineData("0", 0.0)]
    [InlineData("\"0\"", 0.0)]
    [InlineData("\"30s\"", 30.0)]
    [InlineData("null", 300.0)]
    public void TryReadModel_KeepAlive_NeverZeroOrDuration(string value, double? seconds)
    {
        Assert.True(DefinitionJson.TryReadModel(Parse($$"""{"name":"m","keep_alive":{{value}}}"""), out var model, out var errors), string.Join("; ", errors));
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, model.KeepAlive);
    }

    [Fact]
    public void TryReadTask_RateString_BurstIsOneSecondsWorth()
    {
        Assert.True(DefinitionJson.TryReadTask(Parse("""{"name":"chat","models":["a"],"rate":"50/s","priority":"high","slo":{"ttft":"500ms"}}"""), out var task, out var errors), string.Join("; ", errors));
        Assert.Equal(new RateLimit(50, 50), task.Rate);
        Assert.Equal(PriorityClass.High, task.Priority);
        Assert.Equal(TimeSpan.FromMilliseconds(500), task.Ttft);
        Assert.Null(task.Latency);
        Assert.Equal(new RateLimit(0.5, 1), ReadRate("\"30/m\""));
    }

    [Fact]
    public void WriteModel_Full_ShapeOfYardYaml()
    {
        var model = new ModelDefinition
        {
            Name = "remote", Backend = BackendKind.Http, Url = new Uri("http://127.0.0.1:9000/v1"), ApiKeyEnv = "KEY",
            Memory = 64L << 20, KeepAlive = null, ReadyTimeout = TimeSpan.FromMilliseconds(500), StopGrace = TimeSpan.FromSeconds(90),
        };
        Assert.Equal(
            """{"name":"remote","backend":"http","path":null,"command":null,"image":null,"url":"http://127.0.0.1:9000/v1","api_key_env":"KEY","upstream_model":null,"device":"cpu","memory":67108864,"slots":4,"context":null,"threads":null,"replicas":{"min":0,"max":1},"keep_alive":-1,"pinned":false,"preempt":null,"ready_timeout":"500ms","stop_grace":"90s","cost":1,"from_config":false}""",
            DefinitionJson.ToJson(model));
    }

    [Fact]
    public void WriteTask_Full_ShapeOfYardYaml()
    {
        var task = new TaskDefinition
        {
            Name = "chat", Priority = PriorityClass.High, Ttft = TimeSpan.FromMilliseconds(500), Latency = TimeSpan.FromSeconds(10),
            Models = ["stories", "served-by-child"], MaxConcurrency = 16, Rate = new RateLimit(50, 50), Quality = new QualityFloor("triage-v1", 0.8),
        };
        Assert.Equal(
            """{"name":"chat","priority":"high","slo":{"ttft":"500ms","latency":"10s"},"models":["stories","served-by-child"],"max_concurrency":16,"rate":{"per_second":50,"burst":50},"weight":1,"quality":{"metric":"triage-v1","min":0.8},"cache":null,"ensemble":null,"from_config":false}""",
            DefinitionJson.ToJson(task));
    }

    [Fact]
    public void WriteTask_CacheAndEnsemble_ShapeOfYardYaml()
    {
        var task = new TaskDefinition
        {
            Name = "triage", Cache = new ResultCacheSettings { Ttl = TimeSpan.FromMinutes(10), MaxEntries = 10_000, MaxBytes = 64L << 20 },
            Ensemble = new EnsembleSettings { Members = ["small", "medium"], Combine = EnsembleCombine.Judge, Judge = "medium", MinMembers = 2 },
        };
        var json = DefinitionJson.ToJson(task);

        Assert.Contains(""""cache":{"ttl":"10m","max_entries":10000,"max_bytes":67108864},"ensemble":{"members":["small","medium"],"combine":"judge","judge":"medium","min_members":2}"""", json, StringComparison.Ordinal);
        Assert.True(DefinitionJson.TryReadTask(Parse(json), out var read, out var errors), string.Join("; ", errors));
        Assert.Equal(task, read with { Models = task.Models });
        Assert.Empty(read.Models);
    }

    [Fact]
    public void TryReadTask_CacheWithStringSizeAndDefaults_Read()
    {
        Assert.True(DefinitionJson.TryReadTask(Parse("""{"name":"t","models":["a"],"cache":{"max_bytes":"2MiB"}}"""), out var task, out var errors), string.Join("; ", errors));
        Assert.Equal(new ResultCacheSettings { MaxBytes = 2L << 20 }, task.Cache);
    }

    [Fact]
    public void RoundTrip_GeneratedModels_ReadWhatWasWritten()
    {
        Prop.ForAll(Models().ToArbitrary(), model =>
        {
            var json = DefinitionJson.ToJson(model);
            return DefinitionJson.TryReadModel(Parse(json), out var read, out _) && DefinitionJson.ToJson(read) == json && read == model;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void RoundTrip_GeneratedTasks_ReadWhatWasWritten()
    {
        Prop.ForAll(Tasks().ToArbitrary(), task =>
        {
            var json = DefinitionJson.ToJson(task);
            return DefinitionJson.TryReadTask(Parse(json), out var read, out _) && DefinitionJson.ToJson(read) == json
                && read with { Models = task.Models } == task && read.Models.SequenceEqual(task.Models);
        }).QuickCheckThrowOnFailure();
    }

    private static RateLimit? ReadRate(string rate) =>
        DefinitionJson.TryReadTask(Parse($$"""{"name":"t","models":["a"],"rate":{{rate}}}"""), out var task, out _) ? task.Rate : null;

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static Gen<string> Names() =>
        Gen.Elements("a", "stories", "served-by-child", "org/model:q8_0", "x.y_z");

    private static Gen<TimeSpan> Durations() =>
        Gen.OneOf(
            Gen.Choose(0, 5000).Select(ms => TimeSpan.FromMilliseconds(ms)),
            Gen.Choose(0, 100_000).Select(s => TimeSpan.FromSeconds(s)),
            Gen.Choose(0, 1000).Select(us => TimeSpan.FromMicroseconds(us)));

    private static Gen<T?> OrNull<T>(Gen<T> gen)
        where T : struct =>
        Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));

    private static Gen<string?> OrNullString(Gen<string> gen) =>
        Gen.OneOf(Gen.Constant<string?>(null), gen.Select(v => (string?)v));

    private static Gen<ModelDefinition> Models() =>
        from name in Names()
        from backend in Gen.Elements(BackendKind.Builtin, BackendKind.Process, BackendKind.Http, BackendKind.Kubernetes)
        from path in OrNullString(Gen.Elements("m.gguf", "../shared/models/stories260K.gguf", "/ünï côdé/\"q\".gguf"))
        from url in Gen.Elements<Uri?>(null, new Uri("http://127.0.0.1:9000/v1"), new Uri("https://api.example.com/v1"))
        from device in Gen.Elements(DeviceKind.Cpu, DeviceKind.Gpu)
        from memory in OrNull(Gen.Choose(1, int.MaxValue).Select(m => (long)m * 3))
        from slots in Gen.Choose(1, 64)
        from context in OrNull(Gen.Choose(1, 8192))
        from min in Gen.Choose(0, 3)
        from extra in Gen.Choose(0, 3)
        from keepAlive in OrNull(Durations())
        from pinned in Gen.Elements(true, false)
        from ready in Durations().Where(d => d > TimeSpan.Zero)
        from grace in Durations()
        from cost in Gen.Elements(0, 0.1, 1, 2.5, 1e9)
        select new ModelDefinition
        {
            Name = name, Backend = backend, Path = path, Command = path is null ? null : "yard model-server --model {path}",
            Image = backend == BackendKind.Kubernetes ? "ghcr.io/example/yard:1.0" : null,
            Url = url, ApiKeyEnv = url is null ? null : "KEY", UpstreamModel = url is null ? null : "up", Device = device,
            Memory = memory, Slots = slots, Context = context, Threads = context is null ? null : slots,
            ReplicasMin = min, ReplicasMax = Math.Max(1, min + extra), KeepAlive = keepAlive, Pinned = pinned,
            ReadyTimeout = ready, StopGrace = grace, Cost = cost,
        };

    private static Gen<TaskDefinition> Tasks() =>
        from name in Names()
        from priority in Gen.Elements([.. PriorityClasses.All])
        from ttft in OrNull(Durations().Where(d => d > TimeSpan.Zero))
        from latency in OrNull(Durations().Where(d => d > TimeSpan.Zero))
        from count in Gen.Choose(1, 3)
        from models in Gen.Shuffle(["a", "b", "c", "d/e:f"])
        from maxConcurrency in OrNull(Gen.Choose(1, 1000))
        from rate in Gen.OneOf(Gen.Constant<RateLimit?>(null), Gen.Choose(1, 10_000).Two().Select(p => (RateLimit?)new RateLimit(p.Item1 / 10.0, p.Item2)))
        from weight in Gen.Elements(0.25, 1, 3)
        from quality in Gen.Elements<QualityFloor?>(null, new QualityFloor("triage-v1", 0.8), new QualityFloor("m.2", 0), new QualityFloor("x", 1))
        from cache in Gen.Elements<ResultCacheSettings?>(
            null, new ResultCacheSettings(), new ResultCacheSettings { Ttl = TimeSpan.FromSeconds(90), MaxEntries = 7, MaxBytes = 3000 })
        from combine in Gen.Elements(EnsembleCombine.First, EnsembleCombine.Vote, EnsembleCombine.All, EnsembleCombine.Judge)
        from min in OrNull(Gen.Choose(1, 3))
        from ensemble in Gen.Elements(false, false, true)
        select new TaskDefinition
        {
            Name = name, Priority = priority, Ttft = ttft, Latency = latency, Models = ensemble ? [] : models[..count],
            MaxConcurrency = maxConcurrency, Rate = rate, Weight = weight, Quality = quality, Cache = cache,
            Ensemble = ensemble
                ? new EnsembleSettings { Members = models[..count], Combine = combine, Judge = combine == EnsembleCombine.Judge ? "judge-model" : null, MinMembers = min }
                : null,
        };
}
