using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines.Conditions;

namespace Yardmaster.Core.Pipelines;

public static partial class PipelineValidator
{
    /// <summary>
    /// A <c>when:</c> parses (else the column and what was expected) and reads only steps this one needs, directly or
    /// through its needs: those have ended before it is decided. Run once the graph is known to be acyclic.
    /// </summary>
    private static void CheckWhen(StepDefinition step, int index, PipelineGraph graph, List<ConfigError> errors)
    {
        if (step.When is not { } text)
        {
            return;
        }

        var at = $"steps[{index}].when";
        if (!Condition.TryParse(text, out var condition, out var error))
        {
            errors.Add(new(at, $"{error}: {Caret(text, error!.Column)}"));
            return;
        }

        HashSet<int>? before = null;
        foreach (var id in condition!.Steps.Order(StringComparer.Ordinal))
        {
            if (id == step.Id)
            {
                errors.Add(new(at, $"steps.{id} is this step; a condition reads the steps it needs"));
            }
            else if (!graph.Index.TryGetValue(id, out var other))
            {
                errors.Add(new(at, $"steps.{id}: unknown step '{id}'"));
            }
            else if (!(before ??= Ancestors(graph, index)).Contains(other))
            {
                errors.Add(new(at, $"steps.{id}: '{step.Id}' does not need '{id}' (directly or through its needs), so it may not have ended when the condition is decided; add it to needs"));
            }
        }
    }

    /// <summary>The expression with a marker before <paramref name="column"/>, for the message: <c>steps.a.outputs.x &lt; ▸)</c>.</summary>
    private static string Caret(string text, int column)
    {
        var at = Math.Clamp(column - 1, 0, text.Length);
        var shown = text[..at] + "▸" + text[at..];
        return shown.Length > 120 ? shown[..120] + "…" : shown;
    }

    private static HashSet<int> Ancestors(PipelineGraph graph, int index)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>();
        pending.Push(index);
        while (pending.Count > 0)
        {
            foreach (var need in graph.Needs(pending.Pop()))
            {
                if (seen.Add(need))
                {
                    pending.Push(need);
                }
            }
        }

        return seen;
    }

    /// <summary><c>map:</c> one source, a sane item count, paths inside the working directory, a positive <c>max_parallel</c>, a body that maps.</summary>
    private static void CheckMap(StepDefinition step, string at, List<ConfigError> errors)
    {
        if (step.Map is not { } map)
        {
            return;
        }

        var sources = (map.Items is null ? 0 : 1) + (map.Lines is null ? 0 : 1) + (map.Files is null ? 0 : 1);
        if (sources != 1)
        {
            errors.Add(new(at, sources == 0
                ? "a map needs one of items (a list), lines (a file, one item per line) or files (a glob)"
                : "a map has exactly one of items, lines and files"));
        }

        if (map.Items is { } items && (items.Count == 0 || items.Count > MapSpec.MaxItems))
        {
            errors.Add(new($"{at}.items", items.Count == 0 ? "the list is empty; a map needs at least one item" : $"{items.Count} items; at most {MapSpec.MaxItems}"));
        }

        foreach (var (key, path) in new[] { ("lines", map.Lines), ("files", map.Files) })
        {
            if (path is not null && (path.Length == 0 || Path.IsPathRooted(path) || path.Split('/', '\\').Contains("..")))
            {
                errors.Add(new($"{at}.{key}", $"'{path}' must be a path inside the run's working directory (relative, without '..')"));
            }
        }

        if (map.MaxParallel is < 1)
        {
            errors.Add(new($"{at}.max_parallel", $"must be at least 1; found {map.MaxParallel}"));
        }

        if (step.Kind == StepKind.Inference)
        {
            errors.Add(new(at, "an inference step already runs its requests concurrently (inference.concurrency); map runs run and container steps"));
        }
    }
}
