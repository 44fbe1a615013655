using System.Globalization;

namespace Yardmaster.Core.Configuration;

/// <content>The rules of a task's result cache and ensemble.</content>
public static partial class DefinitionValidator
{
    private const long MinCacheBytes = 1024;

    private static void CheckCache(ResultCacheSettings? cache, string at, List<ConfigError> errors)
    {
        if (cache is null)
        {
            return;
        }

        CheckDuration(cache.Ttl, zeroAllowed: false, Join(at, "ttl"), errors);
        if (cache.MaxEntries < 1)
        {
            errors.Add(new(Join(at, "max_entries"), $"must be at least 1 (was {cache.MaxEntries})"));
        }

        if (cache.MaxBytes < MinCacheBytes)
        {
            errors.Add(new(Join(at, "max_bytes"), string.Create(CultureInfo.InvariantCulture, $"must be at least 1KiB (was {cache.MaxBytes} bytes)")));
        }
    }

    /// <summary>
    /// An ensemble's own rules and its references: members are models or tasks (a task may name a model that does not
    /// exist yet, as the registry allows for models, but not itself nor, through tasks, a cycle back to itself).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="resolve">The ensemble of a named task (null for a task without one or an unknown name), to follow cycles.</param>
    /// <param name="exists">True for the name of a model or a task.</param>
    /// <param name="at">The task's field path.</param>
    /// <param name="errors">Where errors go.</param>
    private static void CheckEnsemble(TaskDefinition task, Func<string, EnsembleSettings?> resolve, Func<string, bool> exists, string at, List<ConfigError> errors)
    {
        if (task.Ensemble is not { } e)
        {
            return;
        }

        var path = Join(at, "ensemble");
        if (e.Members.Count == 0)
        {
            errors.Add(new(Join(path, "members"), "an ensemble needs at least one member (a model or a task)"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < e.Members.Count; i++)
        {
            var member = e.Members[i];
            var field = Join(path, string.Create(CultureInfo.InvariantCulture, $"members[{i}]"));
            if (!seen.Add(member))
            {
                errors.Add(new(field, $"repeats '{member}'; each member is called once"));
            }
            else if (member == task.Name)
            {
                errors.Add(new(field, $"'{member}' is the ensemble itself; a task cannot be its own member"));
            }
            else if (!exists(member))
            {
                errors.Add(new(field, $"'{member}' is neither a declared model nor a task"));
            }
            else if (CycleThrough(task.Name, member, resolve) is { } cycle)
            {
                errors.Add(new(field, $"'{member}' leads back to '{task.Name}': {cycle}"));
            }
        }

        if (e.Combine == EnsembleCombine.Judge && e.Judge is null)
        {
            errors.Add(new(Join(path, "judge"), "combine: judge needs a judge: the model or task that picks or merges the answers"));
        }
        else if (e.Combine != EnsembleCombine.Judge && e.Judge is not null)
        {
            errors.Add(new(Join(path, "judge"), $"is used by combine: judge only (combine is {e.Combine.Name()})"));
        }
        else if (e.Judge is { } judge && (judge == task.Name || !exists(judge)))
        {
            errors.Add(new(Join(path, "judge"), judge == task.Name ? "a task cannot judge itself" : $"'{judge}' is neither a declared model nor a task"));
        }
        else if (e.Judge is { } judgeTask && CycleThrough(task.Name, judgeTask, resolve) is { } judgeCycle)
        {
            errors.Add(new(Join(path, "judge"), $"'{judgeTask}' leads back to '{task.Name}': {judgeCycle}"));
        }

        if (e.MinMembers is { } min && (min < 1 || min > Math.Max(1, e.Members.Count)))
        {
            errors.Add(new(Join(path, "min_members"), $"must be between 1 and the number of members ({e.Members.Count}) (was {min})"));
        }
    }

    /// <summary>The path from <paramref name="member"/> back to <paramref name="origin"/> through ensembles of tasks, as "a → b → origin"; null when none.</summary>
    private static string? CycleThrough(string origin, string member, Func<string, EnsembleSettings?> resolve)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Name, string Path)>();
        stack.Push((member, origin + " → " + member));
        while (stack.Count > 0)
        {
            var (name, path) = stack.Pop();
            if (!visited.Add(name) || resolve(name) is not { } ensemble)
            {
                continue;
            }

            foreach (var next in ensemble.Members.Append(ensemble.Judge).OfType<string>())
            {
                if (next == origin)
                {
                    return path + " → " + origin;
                }

                stack.Push((next, path + " → " + next));
            }
        }

        return null;
    }
}
