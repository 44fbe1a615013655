using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Pipelines;

public static partial class PipelineValidator
{
    private static void CheckBody(StepDefinition step, string at, PipelineEnvironment environment, List<ConfigError> errors)
    {
        var bodies = (step.Run is null ? 0 : 1) + (step.Container is null ? 0 : 1) + (step.Inference is null ? 0 : 1) + (step.Evaluate is null ? 0 : 1);
        if (bodies != 1)
        {
            errors.Add(new(at, bodies == 0
                ? "a step needs one of run (a shell command), container, inference or evaluate"
                : "a step has exactly one of run, container, inference and evaluate"));
            return;
        }

        if (step.Run is { } run && string.IsNullOrWhiteSpace(run))
        {
            errors.Add(new($"{at}.run", "the command is empty"));
        }

        if (step.Container is { } container)
        {
            if (string.IsNullOrWhiteSpace(container.Image))
            {
                errors.Add(new($"{at}.container.image", "an image is required, e.g. yard/busybox:local"));
            }
            else if (!ImageReference.IsValid(container.Image))
            {
                errors.Add(new($"{at}.container.image", $"'{container.Image}' is not an image reference; use [host[:port]/]name[:tag][@digest] in lower case, e.g. yard/busybox:local"));
            }

            if (environment.ContainerEngine is null)
            {
                errors.Add(new($"{at}.container", "a container step needs a container engine, and none is configured (executors.docker in yard.yaml, and a running Docker engine)"));
            }
        }

        if (step.Inference is { } inference)
        {
            if (environment.InferenceTasks is not { } tasks)
            {
                errors.Add(new($"{at}.inference", "inference steps run on a server that serves the task; submit with --server URL (or to yard serve)"));
            }
            else if (!tasks.Contains(inference.Task, StringComparer.Ordinal))
            {
                errors.Add(new($"{at}.inference.task", $"unknown task '{inference.Task}'; the server has: {string.Join(", ", tasks.Order(StringComparer.Ordinal))}"));
            }

            if (inference.Concurrency < 1)
            {
                errors.Add(new($"{at}.inference.concurrency", "must be at least 1"));
            }
        }

        if (step.Evaluate is { } evaluate)
        {
            CheckEvaluate(evaluate, $"{at}.evaluate", environment, errors);
        }
    }

    private static void CheckEvaluate(EvaluateStepSpec evaluate, string at, PipelineEnvironment environment, List<ConfigError> errors)
    {
        if (environment.InferenceTasks is not { } known)
        {
            errors.Add(new(at, "evaluate steps run on a server that serves the models; submit with --server URL (or to yard serve)"));
            known = null;
        }

        if (string.IsNullOrWhiteSpace(evaluate.Dataset))
        {
            errors.Add(new($"{at}.dataset", "a dataset is required: a JSONL file of {\"input\", \"expected\"} or {\"messages\", \"expected\"}"));
        }

        if (evaluate.Models.Count == 0)
        {
            errors.Add(new($"{at}.models", "at least one model or task to evaluate is required"));
        }

        var names = evaluate.Models.Select((m, i) => ($"{at}.models[{i}]", m)).ToList();
        if (evaluate.Judge is { } judge)
        {
            names.Add(($"{at}.judge", judge));
        }

        foreach (var (field, name) in names)
        {
            if (known is not null && !known.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(new(field, $"unknown model or task '{name}'; the server has: {string.Join(", ", known.Order(StringComparer.Ordinal))}"));
            }
        }

        if (evaluate.Models.Distinct(StringComparer.Ordinal).Count() != evaluate.Models.Count)
        {
            errors.Add(new($"{at}.models", "names a model or task twice"));
        }

        if (!DefinitionValidator.IsValidName(evaluate.Metric))
        {
            errors.Add(new($"{at}.metric", string.IsNullOrEmpty(evaluate.Metric) ? "a metric name is required (what tasks' quality.metric names)" : DefinitionValidator.InvalidNameMessage(evaluate.Metric)));
        }

        if ((evaluate.Score == ScoreMethod.Judge) != (evaluate.Judge is not null))
        {
            errors.Add(new(evaluate.Judge is null ? $"{at}.judge" : $"{at}.score", evaluate.Judge is null ? "score: judge needs judge, the model or task that grades the answers" : "judge applies only to score: judge"));
        }

        if (evaluate.Rubric is not null && evaluate.Score != ScoreMethod.Judge)
        {
            errors.Add(new($"{at}.rubric", "rubric applies only to score: judge"));
        }

        if (evaluate.MaxTokens < 1)
        {
            errors.Add(new($"{at}.max_tokens", "must be at least 1"));
        }

        if (evaluate.Concurrency < 1)
        {
            errors.Add(new($"{at}.concurrency", "must be at least 1"));
        }
    }

    private static void CheckRetries(RetryPolicy retries, string at, List<ConfigError> errors)
    {
        if (retries.Max is < 0 or > MaxRetries)
        {
            errors.Add(new($"{at}.max", $"must be between 0 and {MaxRetries}; found {retries.Max}"));
        }

        if (retries.Initial < TimeSpan.Zero)
        {
            errors.Add(new($"{at}.initial", "must not be negative"));
        }

        if (retries.MaxDelay < retries.Initial)
        {
            errors.Add(new($"{at}.max_delay", $"must be at least initial ({Durations.Format(retries.Initial)})"));
        }
    }

    /// <summary>
    /// Checks the step's engine: a name <c>executor:</c> accepts, nodes of it known to this scheduler, a body it can run.
    /// False when the engine is unusable (its resources then cannot be checked against its nodes).
    /// </summary>
    private static bool CheckExecutor(StepDefinition step, string engine, string at, PipelineEnvironment environment, List<ConfigError> errors)
    {
        if (step.Executor is { } named && !Engines.All.Contains(named))
        {
            errors.Add(new($"{at}.executor", UnknownExecutor(named)));
            return false;
        }

        if (!Engines.All.Contains(engine))
        {
            return false;
        }

        if (step.Kind is StepKind.Inference or StepKind.Evaluate && step.Executor is { } executor && executor != Engines.Local)
        {
            errors.Add(new($"{at}.executor", $"an {(step.Kind == StepKind.Evaluate ? "evaluate" : "inference")} step runs on the server (its requests go through the server's scheduler); remove executor: {executor}"));
            return false;
        }

        if (step.Kind == StepKind.Container && engine == Engines.Slurm)
        {
            errors.Add(new($"{at}.container", "the slurm executor runs shell commands, not containers; use run: with the cluster's container runtime (e.g. apptainer exec IMAGE CMD), or executor: kubernetes"));
        }

        // With no nodes at all the environment is unknown (a client-side check); otherwise the engine must have some.
        if (engine != Engines.Local && environment.Nodes.Count > 0 && !environment.Nodes.Any(n => n.Engine == engine))
        {
            errors.Add(new(step.Executor is not null ? $"{at}.executor" : at, $"no {engine} nodes are known to this scheduler: configure jobs.{engine} in yard.yaml (and check that the cluster answers), or choose another executor"));
            return false;
        }

        return true;
    }

    private static string UnknownExecutor(string executor) => $"unknown executor '{executor}'; use {string.Join(" | ", Engines.All)}";

    private static void CheckResources(ResourceRequest resources, string at, string engine, PipelineEnvironment environment, List<ConfigError> errors)
    {
        if (resources.CpuMillis < 0 || resources.MemoryBytes < 0 || resources.Gpus < 0)
        {
            errors.Add(new(at, "cpu, memory and gpu must not be negative"));
            return;
        }

        var nodes = environment.Nodes.Where(n => n.Engine == engine).ToList();
        if (nodes.Count == 0 || nodes.Any(n => n.Holds(resources)))
        {
            return;
        }

        // Name the dimension that no node has enough of.
        var largest = nodes;
        var (field, asked, most) = resources.CpuMillis > largest.Max(n => n.CpuMillis)
            ? ("cpu", CpuAmounts.Format(resources.CpuMillis), CpuAmounts.Format(largest.Max(n => n.CpuMillis)))
            : resources.MemoryBytes > largest.Max(n => n.MemoryBytes)
                ? ("memory", ByteSizes.Format(resources.MemoryBytes), ByteSizes.Format(largest.Max(n => n.MemoryBytes)))
                : resources.Gpus > largest.Max(n => n.Gpus)
                    ? ("gpu", resources.Gpus.ToString(System.Globalization.CultureInfo.InvariantCulture), largest.Max(n => n.Gpus).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : (string.Empty, resources.ToString(), "no single node has all of it");
        errors.Add(field.Length == 0
            ? new(at, $"{asked} is larger than every {EngineNodes(engine)} ({most})")
            : new($"{at}.{field}", $"{asked} is larger than every {EngineNodes(engine)} (the largest has {most})"));
    }

    /// <summary>
    /// <c>resources.cpu_limit</c>: at least the request (a cap below it would hold cores the step cannot use) and at least
    /// <see cref="CpuAmounts.MinimumLimitMillis"/> (the kernel's smallest quota a period); only for the bodies and engines that
    /// enforce it.
    /// </summary>
    private static void CheckCpuLimit(StepDefinition step, string at, string engine, PipelineEnvironment environment, List<ConfigError> errors)
    {
        if (step.CpuLimitMillis is not { } limit)
        {
            return;
        }

        if (step.Inference is not null || step.Evaluate is not null)
        {
            errors.Add(new(at, "applies to run and container steps; an inference or evaluate step's work runs in the model server, whose cores serving shares by class"));
        }
        else if (engine == Engines.Slurm)
        {
            errors.Add(new(at, "is not passed to Slurm, which confines a job to its allocated cores by its own cgroup plugin (ConstrainCores); remove cpu_limit, or run the step on local or kubernetes"));
        }
        else if (limit == 0)
        {
            errors.Add(new(at, "true caps the step at resources.cpu, which is 0; ask some cpu, or give the limit as an amount (500m)"));
        }
        else if (limit < CpuAmounts.MinimumLimitMillis)
        {
            errors.Add(new(at, $"{CpuAmounts.Format(limit)} is below the smallest limit, {CpuAmounts.Format(CpuAmounts.MinimumLimitMillis)} (a quota of 1 ms every 100 ms)"));
        }
        else if (limit < step.Resources.CpuMillis)
        {
            errors.Add(new(at, $"{CpuAmounts.Format(limit)} is below resources.cpu ({CpuAmounts.Format(step.Resources.CpuMillis)}): the step would hold cores it may not use; ask less cpu or a higher limit (true caps it at cpu)"));
        }
        else if (environment.Nodes.Where(n => n.Engine == engine).Select(n => n.CpuMillis).DefaultIfEmpty(long.MaxValue).Max() is var most && limit > most)
        {
            errors.Add(new(at, $"{CpuAmounts.Format(limit)} is more than every {EngineNodes(engine)} has (the largest has {CpuAmounts.Format(most)}): a cap above the node caps nothing"));
        }
    }

    /// <summary>A step that may not be preempted never gets <c>pool.serving_reserve</c>: refused when it fits this machine only with it.</summary>
    private static void CheckServingReserve(StepDefinition step, PriorityClass pipeline, string at, string engine, PipelineEnvironment environment, List<ConfigError> errors)
    {
        if (environment.ServingReserve <= 0 || engine != Engines.Local || environment.Nodes.Count == 0 || step.PreemptibleIn(pipeline))
        {
            return;
        }

        var local = environment.Nodes[0];
        var left = local.MemoryBytes - environment.ServingReserve;
        if (step.Resources.MemoryBytes > left && local.Holds(step.Resources))
        {
            errors.Add(new($"{at}.memory", $"{ByteSizes.Format(step.Resources.MemoryBytes)} is more than steps that may not be preempted can have ({ByteSizes.Format(left)}: pool.serving_reserve holds {ByteSizes.Format(environment.ServingReserve)} of {ByteSizes.Format(local.MemoryBytes)} back for models); ask less, or set preemptible: true"));
        }
    }

    private static string EngineNodes(string engine) => engine == Engines.Local ? "node" : engine + " node";

    private static void CheckEnvironment(IReadOnlyDictionary<string, string> environment, string at, List<ConfigError> errors)
    {
        foreach (var (name, value) in environment)
        {
            if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                errors.Add(new($"{at}.{name}", $"'{name}' is not a valid environment variable name; use letters, digits and '_', not starting with a digit"));
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                // An environment entry ends at the first NUL: the step would silently see a shorter value.
                errors.Add(new($"{at}.{name}", "the value contains a NUL character, which an environment variable cannot hold"));
            }
        }
    }
}
