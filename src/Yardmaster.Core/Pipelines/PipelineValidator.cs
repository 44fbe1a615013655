using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Pipelines;

/// <summary>
/// Every rule of a pipeline, as <see cref="ConfigError"/> values with the field's path (<c>steps[2].needs[0]</c>),
/// all at once: names and ids, bodies, needs and cycles, durations, retries, resources against the nodes, and
/// executors against what is configured. Pure; O(steps + needs).
/// </summary>
public static partial class PipelineValidator
{
    /// <summary>Needs longer than this get no suggestion: the edit distance costs the product of the lengths.</summary>
    private const int MaxSuggestedLength = 64;

    /// <summary>The most retries a step may ask for.</summary>
    public const int MaxRetries = 100;

    /// <summary>Validates <paramref name="pipeline"/> for <paramref name="environment"/>; empty when it may run.</summary>
    public static IReadOnlyList<ConfigError> Validate(PipelineDefinition pipeline, PipelineEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<ConfigError>();
        if (string.IsNullOrEmpty(pipeline.Name))
        {
            errors.Add(new("name", "a name is required"));
        }
        else if (!DefinitionValidator.IsValidName(pipeline.Name))
        {
            errors.Add(new("name", DefinitionValidator.InvalidNameMessage(pipeline.Name)));
        }

        if (pipeline.Executor is { } executor && !Engines.All.Contains(executor))
        {
            errors.Add(new("executor", UnknownExecutor(executor)));
        }

        if (pipeline.MaxParallel is < 1)
        {
            errors.Add(new("max_parallel", $"must be at least 1; found {pipeline.MaxParallel}"));
        }

        CheckEnvironment(pipeline.Environment, "env", errors);
        if (pipeline.Steps.Count == 0)
        {
            errors.Add(new("steps", "a pipeline needs at least one step"));
            return errors;
        }

        var firstAt = new Dictionary<string, int>(pipeline.Steps.Count, StringComparer.Ordinal);
        for (var i = 0; i < pipeline.Steps.Count; i++)
        {
            var id = pipeline.Steps[i].Id;
            if (!string.IsNullOrEmpty(id) && !firstAt.TryAdd(id, i))
            {
                errors.Add(new($"steps[{i}].id", $"duplicate step id '{id}' (first at steps[{firstAt[id]}])"));
            }
        }

        for (var i = 0; i < pipeline.Steps.Count; i++)
        {
            CheckStep(pipeline, pipeline.Steps[i], $"steps[{i}]", firstAt, environment, errors);
        }

        var graph = PipelineGraph.Build(pipeline.Steps);
        if (graph.FindCycle() is { } cycle)
        {
            errors.Add(new($"steps[{firstAt[cycle[0]]}].needs", $"the steps form a cycle: {string.Join(" → ", cycle)} (each needs the next)"));
        }
        else
        {
            for (var i = 0; i < pipeline.Steps.Count; i++)
            {
                CheckWhen(pipeline.Steps[i], i, graph, errors);
            }
        }

        return errors;
    }

    private static void CheckStep(PipelineDefinition pipeline, StepDefinition step, string at, Dictionary<string, int> ids, PipelineEnvironment environment, List<ConfigError> errors)
    {
        var engine = Engines.Of(step, pipeline, environment.DefaultExecutor);
        var engineKnown = CheckExecutor(step, engine, at, environment, errors);
        if (string.IsNullOrEmpty(step.Id))
        {
            errors.Add(new($"{at}.id", "every step needs an id"));
        }
        else if (!step.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            errors.Add(new($"{at}.id", $"'{step.Id}' is not a valid step id; use letters, digits, '_' and '-'"));
        }

        CheckBody(step, at, environment, errors);
        for (var n = 0; n < step.Needs.Count; n++)
        {
            var need = step.Needs[n];
            if (need == step.Id)
            {
                errors.Add(new($"{at}.needs[{n}]", $"step '{step.Id}' cannot need itself"));
            }
            else if (!ids.ContainsKey(need))
            {
                // Only errors that will be listed get a suggestion: each search costs a pass over every step id.
                errors.Add(new($"{at}.needs[{n}]", UnknownStep(need, ids.Keys, suggest: errors.Count < ErrorReport.MaxShown)));
            }
        }

        if (step.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add(new($"{at}.timeout", "must be a positive duration, e.g. 10m"));
        }

        CheckRetries(step.Retries, $"{at}.retries", errors);
        CheckMap(step, $"{at}.map", errors);
        if (engineKnown)
        {
            CheckResources(step.Resources, $"{at}.resources", engine, environment, errors);
            CheckServingReserve(step, pipeline.Priority, $"{at}.resources", engine, environment, errors);
            CheckCpuLimit(step, $"{at}.resources.cpu_limit", engine, environment, errors);
        }

        CheckEnvironment(step.Environment, $"{at}.env", errors);
        for (var o = 0; o < step.Outputs.Count; o++)
        {
            var output = step.Outputs[o];
            if (output.Length == 0 || Path.IsPathRooted(output) || output.Split('/', '\\').Contains(".."))
            {
                errors.Add(new($"{at}.outputs[{o}]", $"'{output}' must be a path inside the run's working directory (relative, without '..')"));
            }
        }
    }

    /// <summary>The error for a need naming no step, with the closest id (within a third of its length) when <paramref name="suggest"/>.</summary>
    private static string UnknownStep(string need, IEnumerable<string> ids, bool suggest)
    {
        string? closest = null;
        if (suggest && need.Length <= MaxSuggestedLength)
        {
            var bestDistance = Math.Max(1, need.Length / 3) + 1;
            foreach (var id in ids)
            {
                // The length difference is a lower bound of the distance: most ids are skipped without computing it.
                if (id.Length > MaxSuggestedLength || Math.Abs(id.Length - need.Length) >= bestDistance)
                {
                    continue;
                }

                var distance = Distance(id, need);
                if (distance < bestDistance)
                {
                    (closest, bestDistance) = (id, distance);
                }
            }
        }

        return closest is null ? $"unknown step '{need}'" : $"unknown step '{need}'; did you mean '{closest}'?";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
