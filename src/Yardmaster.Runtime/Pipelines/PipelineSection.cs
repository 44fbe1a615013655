using Yardmaster.Core;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Units;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>Maps a pipeline file's mappings to <see cref="PipelineDefinition"/>; unknown keys and bad values become located errors.</summary>
internal static class PipelineSection
{
    private static readonly string[] _keys = ["name", "description", "priority", "max_parallel", "workdir", "env", "steps", "executor"];
    private static readonly string[] _stepKeys = ["id", "needs", "run", "container", "inference", "evaluate", "resources", "timeout", "retries", "env", "outputs", "preemptible", "executor", "when", "map"];
    private static readonly string[] _mapKeys = ["items", "lines", "files", "max_parallel"];
    private static readonly string[] _containerKeys = ["image", "command", "workdir"];
    private static readonly string[] _inferenceKeys = ["task", "input", "output", "concurrency"];
    private static readonly string[] _evaluateKeys = ["dataset", "models", "metric", "score", "judge", "rubric", "max_tokens", "concurrency", "output"];
    private static readonly string[] _resourceKeys = ["cpu", "cpu_limit", "memory", "gpu"];
    private static readonly string[] _retryKeys = ["max", "backoff", "initial", "max_delay"];
    private static readonly Dictionary<string, BackoffKind> _backoffs = new(StringComparer.Ordinal)
    {
        ["exponential"] = BackoffKind.Exponential,
        ["linear"] = BackoffKind.Linear,
        ["constant"] = BackoffKind.Constant,
    };

    public static PipelineDefinition? Read(ConfigNode root, ConfigReader reader)
    {
        if (reader.Section(root, string.Empty, _keys) is not { } s)
        {
            return null;
        }

        if (s.Node("name") is null)
        {
            s.Missing("name", "name is required: what the pipeline's runs are listed under");
        }

        if (s.Node("steps") is null)
        {
            s.Missing("steps", "steps is required: a list of steps, each with an id and one of run, container or inference");
        }

        var steps = new List<StepDefinition>();
        var items = s.List("steps", "steps") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"steps[{i}]";
            var step = reader.Section(items[i], field, _stepKeys) ?? new ConfigSection(reader, field, items[i], []);
            steps.Add(ReadStep(step));
        }

        return new PipelineDefinition
        {
            Name = s.String("name") ?? string.Empty,
            Priority = TaskSection.ReadPriority(s) ?? PriorityClass.Normal,
            MaxParallel = s.Int("max_parallel"),
            WorkingDirectory = s.String("workdir"),
            Environment = ReadEnvironment(s, "env"),
            Steps = steps,
            Executor = s.String("executor"),
        };
    }

    private static StepDefinition ReadStep(ConfigSection s)
    {
        if (s.Node("id") is null)
        {
            s.Missing("id", "id is required: the step's name within the pipeline");
        }

        var container = s.Section("container", _containerKeys);
        var inference = s.Section("inference", _inferenceKeys);
        var evaluate = s.Section("evaluate", _evaluateKeys);
        // An inference or evaluate step waits on models whose memory the model manager accounts; it holds nothing by default.
        var (resources, cpuLimit) = (inference ?? evaluate) is not null && s.Node("resources") is null ? (default, null) : ReadResources(s.Section("resources", _resourceKeys));
        return new StepDefinition
        {
            Id = s.String("id") ?? string.Empty,
            Needs = s.Node("needs") is { Kind: ConfigNodeKind.Scalar } single ? [s.Reader.String(single, s.Field("needs")) ?? string.Empty] : s.Strings("needs", "step ids") ?? [],
            Run = s.String("run"),
            Container = container is null ? null : ReadContainer(container),
            Inference = inference is null ? null : ReadInference(inference),
            Evaluate = evaluate is null ? null : ReadEvaluate(evaluate),
            Resources = resources,
            CpuLimitMillis = cpuLimit,
            Timeout = s.Duration("timeout"),
            Retries = ReadRetries(s),
            Environment = ReadEnvironment(s, "env"),
            Outputs = s.Strings("outputs", "file paths") ?? [],
            Preemptible = s.Bool("preemptible"),
            Executor = s.String("executor"),
            When = s.String("when"),
            Map = s.Section("map", _mapKeys) is { } map ? ReadMap(map) : null,
        };
    }

    /// <summary><c>map: { items: [...] | lines: FILE | files: GLOB, max_parallel: N }</c>; a mapping or list item becomes its JSON.</summary>
    private static MapSpec ReadMap(ConfigSection m) => new()
    {
        Items = m.List("items", "items (one per run of the step)") is { } items ? [.. items.Select(ConfigNodeJson.Text)] : null,
        Lines = m.String("lines"),
        Files = m.String("files"),
        MaxParallel = m.Int("max_parallel"),
    };

    private static ContainerSpec ReadContainer(ConfigSection c)
    {
        if (c.Node("image") is null)
        {
            c.Missing("image", "image is required, e.g. yard/busybox:local");
        }

        IReadOnlyList<string>? command = c.Node("command") is { Kind: ConfigNodeKind.Scalar } line
            ? ["/bin/sh", "-c", c.Reader.String(line, c.Field("command")) ?? string.Empty]
            : c.Strings("command", "arguments");
        return new ContainerSpec(c.String("image") ?? string.Empty, command) { WorkDir = c.String("workdir") ?? "/work" };
    }

    private static InferenceStepSpec ReadInference(ConfigSection c)
    {
        foreach (var key in new[] { "task", "input", "output" })
        {
            if (c.Node(key) is null)
            {
                c.Missing(key, $"{key} is required: inference steps have task, input (a JSONL file of requests) and output");
            }
        }

        return new InferenceStepSpec(c.String("task") ?? string.Empty, c.String("input") ?? string.Empty, c.String("output") ?? string.Empty)
        {
            Concurrency = c.Int("concurrency") ?? 4,
        };
    }

    private static EvaluateStepSpec ReadEvaluate(ConfigSection c)
    {
        foreach (var key in new[] { "dataset", "models", "metric", "score" })
        {
            if (c.Node(key) is null)
            {
                c.Missing(key, $"{key} is required: evaluate steps have dataset (a JSONL file of items), models, metric and score ({string.Join(" | ", AnswerScoring.Names.Keys)})");
            }
        }

        var models = c.Node("models") is { Kind: ConfigNodeKind.Scalar } single ? [c.Reader.String(single, c.Field("models")) ?? string.Empty] : c.Strings("models", "model or task names") ?? [];
        return new EvaluateStepSpec(c.String("dataset") ?? string.Empty, models, c.String("metric") ?? string.Empty, c.Choice("score", AnswerScoring.Names) ?? ScoreMethod.Exact)
        {
            Judge = c.String("judge"),
            Rubric = c.String("rubric"),
            MaxTokens = c.Int("max_tokens") ?? 64,
            Concurrency = c.Int("concurrency") ?? 4,
            Output = c.String("output"),
        };
    }

    /// <summary>
    /// The request, and <c>cpu_limit</c>: <c>true</c> caps the step at its <c>cpu</c>, an amount (<c>2</c>, <c>1500m</c>) at
    /// that, <c>false</c> or absent not at all.
    /// </summary>
    private static (ResourceRequest Request, long? CpuLimit) ReadResources(ConfigSection? r)
    {
        var d = ResourceRequest.Default;
        if (r is null)
        {
            return (d, null);
        }

        var request = new ResourceRequest(Cpu(r, "cpu") ?? d.CpuMillis, r.Size("memory") ?? d.MemoryBytes, r.Int("gpu") ?? d.Gpus);
        long? limit = (r.Node("cpu_limit") is { } node ? r.Reader.String(node, r.Field("cpu_limit")) : null) switch
        {
            null or "false" or "False" or "FALSE" => null,
            "true" or "True" or "TRUE" => request.CpuMillis,
            _ => Cpu(r, "cpu_limit", "; or true to cap the step at its cpu, false for no cap"),
        };
        return (request, limit);
    }

    /// <summary>A CPU amount at <paramref name="key"/>; null (and a located error, with <paramref name="hint"/>) when it is not one.</summary>
    private static long? Cpu(ConfigSection r, string key, string hint = "")
    {
        if (r.Node(key) is not { } node || r.Reader.String(node, r.Field(key)) is not { } text)
        {
            return null;
        }

        if (CpuAmounts.TryParse(text, out var millis, out var error))
        {
            return millis;
        }

        r.Reader.Error(node, r.Field(key), error + hint);
        return null;
    }

    /// <summary><c>retries: 3</c> or <c>retries: { max: 3, backoff: exponential, initial: 2s, max_delay: 1m }</c>.</summary>
    private static RetryPolicy ReadRetries(ConfigSection s)
    {
        var d = RetryPolicy.None;
        if (s.Node("retries") is not { } node)
        {
            return d;
        }

        if (node.Kind == ConfigNodeKind.Scalar)
        {
            return d with { Max = s.Int("retries") ?? 0 };
        }

        if (s.Section("retries", _retryKeys) is not { } r)
        {
            return d;
        }

        return new RetryPolicy(r.Int("max") ?? 1, r.Choice("backoff", _backoffs) ?? d.Backoff, r.Duration("initial") ?? d.Initial, r.Duration("max_delay") ?? d.MaxDelay);
    }

    private static Dictionary<string, string> ReadEnvironment(ConfigSection s, string key) => s.StringMap(key, "variable names to values");
}
