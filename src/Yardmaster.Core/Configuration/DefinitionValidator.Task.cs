namespace Yardmaster.Core.Configuration;

/// <content>The rules of one task.</content>
public static partial class DefinitionValidator
{
    private static void CheckTask(TaskDefinition task, Func<string, bool> isModel, List<string> declared, string at, List<ConfigError> errors)
    {
        CheckCache(task.Cache, Join(at, "cache"), errors);
        CheckName(task.Name, at, errors);
        if (!Enum.IsDefined(task.Priority))
        {
            errors.Add(new(Join(at, "priority"), $"unknown priority {task.Priority}; use {PriorityClasses.Names}"));
        }

        CheckDuration(task.Ttft, zeroAllowed: false, Join(at, "slo.ttft"), errors);
        CheckDuration(task.Latency, zeroAllowed: false, Join(at, "slo.latency"), errors);
        if (task.Ttft > task.Latency)
        {
            errors.Add(new(Join(at, "slo.ttft"), "must not exceed slo.latency: the first token cannot come after the last"));
        }

        var known = declared.Count == 0 ? "no models are declared" : "declared models: " + string.Join(", ", declared);
        if (task.Ensemble is not null)
        {
            if (task.Models.Count > 0)
            {
                errors.Add(new(Join(at, "models"), "an ensemble task names its members in ensemble.members; leave models out"));
            }
        }
        else if (task.Models.Count == 0)
        {
            errors.Add(new(Join(at, "models"), $"a task needs at least one candidate model; {known}"));
        }

        for (var i = 0; i < task.Models.Count; i++)
        {
            if (!isModel(task.Models[i]))
            {
                errors.Add(new(Join(at, $"models[{i}]"), $"'{task.Models[i]}' is not a declared model; {known}"));
            }
        }

        if (task.MaxConcurrency is < 1)
        {
            errors.Add(new(Join(at, "max_concurrency"), $"must be at least 1 when given (was {task.MaxConcurrency})"));
        }

        if (task.Rate is { } rate)
        {
            if (!double.IsFinite(rate.PerSecond) || rate.PerSecond <= 0)
            {
                errors.Add(new(Join(at, "rate"), $"must be positive (was {rate.PerSecond}/s)"));
            }

            if (rate.Burst < 1)
            {
                errors.Add(new(Join(at, "rate.burst"), $"must be at least 1 (was {rate.Burst})"));
            }
        }

        if (!double.IsFinite(task.Weight) || task.Weight <= 0)
        {
            errors.Add(new(Join(at, "weight"), $"must be positive (was {task.Weight})"));
        }

        if (task.Quality is not null && task.Ensemble is not null)
        {
            errors.Add(new(Join(at, "quality"), "applies to a task choosing among its models; an ensemble asks all its members (give each member task its own quality)"));
        }

        if (task.Quality is { } quality)
        {
            CheckMetric(quality.Metric, Join(at, "quality.metric"), errors);
            if (!double.IsFinite(quality.Min) || quality.Min is < 0 or > 1)
            {
                errors.Add(new(Join(at, "quality.min"), $"must be a score in [0, 1] (was {quality.Min})"));
            }
        }
    }
}
