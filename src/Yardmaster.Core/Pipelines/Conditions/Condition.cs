using System.Text.Json;

namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>
/// A parsed <c>when:</c> expression over earlier steps: numbers, 'strings' or "strings", <c>true</c>, <c>false</c>,
/// <c>null</c>; <c>steps.ID.outputs.KEY[.KEY|[N]]</c> and <c>steps.ID.state</c>; <c>== != &lt; &lt;= &gt; &gt;=</c>;
/// <c>and</c>/<c>&amp;&amp;</c>, <c>or</c>/<c>||</c>, <c>not</c>/<c>!</c>; parentheses. A missing key is null; a
/// comparison with null is false except <c>==</c>/<c>!=</c>; values of different types are never equal and never
/// ordered (no coercion). The step runs when the value is truthy: not null, false, 0 or "". Immutable and thread-safe;
/// evaluation is pure.
/// </summary>
public sealed class Condition
{
    private readonly ConditionNode _root;

    private Condition(string text, ConditionNode root)
    {
        Text = text;
        _root = root;
        var steps = new HashSet<string>(StringComparer.Ordinal);
        var states = new HashSet<string>(StringComparer.Ordinal);
        Collect(root, steps, states);
        Steps = steps;
        StateSteps = states;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The ids of the steps it reads (outputs or state).</summary>
    public IReadOnlySet<string> Steps { get; }

    /// <summary>The ids of the steps whose <c>state</c> it reads.</summary>
    public IReadOnlySet<string> StateSteps { get; }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> names the column and what was expected.</summary>
    public static bool TryParse(string text, out Condition? condition, out ConditionError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        condition = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = new ConditionError(1, "the expression is empty");
            return false;
        }

        try
        {
            condition = new Condition(text, new ConditionParser(text).Parse());
            return true;
        }
        catch (ConditionSyntaxException e)
        {
            error = e.Error;
            return false;
        }
    }

    /// <summary>Whether the step should run: the expression's value is truthy. <paramref name="steps"/> gives a step by id (null when unknown).</summary>
    public bool Evaluate(Func<string, StepView?> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return Truthy(Value(_root, steps));
    }

    private static object? Value(ConditionNode node, Func<string, StepView?> steps) => node switch
    {
        ConditionNode.Literal l => l.Value,
        ConditionNode.StepReference r => Reference(r, steps),
        ConditionNode.Not n => !Truthy(Value(n.Operand, steps)),
        ConditionNode.Logical { And: true } a => Truthy(Value(a.Left, steps)) && Truthy(Value(a.Right, steps)),
        ConditionNode.Logical o => Truthy(Value(o.Left, steps)) || Truthy(Value(o.Right, steps)),
        ConditionNode.Compare c => Compare(c.Operator, Value(c.Left, steps), Value(c.Right, steps)),
        _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
    };

    private static object? Reference(ConditionNode.StepReference reference, Func<string, StepView?> steps)
    {
        if (steps(reference.StepId) is not { } step)
        {
            return null;
        }

        if (reference.State)
        {
            return step.State.Name();
        }

        if (step.Outputs is not { } current)
        {
            return null;
        }

        foreach (var part in reference.Path)
        {
            if (part is string key && current.ValueKind == JsonValueKind.Object && current.TryGetProperty(key, out var child))
            {
                current = child;
            }
            else if (part is int index && current.ValueKind == JsonValueKind.Array && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return ConditionNode.FromJson(current);
    }

    private static bool Compare(string op, object? left, object? right)
    {
        if (op is "==" or "!=")
        {
            return Equal(left, right) == (op == "==");
        }

        var order = (left, right) switch
        {
            (double a, double b) when !double.IsNaN(a) && !double.IsNaN(b) => a.CompareTo(b),
            (string a, string b) => string.CompareOrdinal(a, b),
            _ => (int?)null,
        };
        return order is { } o && op switch
        {
            "<" => o < 0,
            "<=" => o <= 0,
            ">" => o > 0,
            _ => o >= 0,
        };
    }

    private static bool Equal(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (double a, double b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (bool a, bool b) => a == b,
        (JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b),
        _ => false,
    };

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        _ => true,
    };

    private static void Collect(ConditionNode node, HashSet<string> steps, HashSet<string> states)
    {
        switch (node)
        {
            case ConditionNode.StepReference r:
                steps.Add(r.StepId);
                if (r.State)
                {
                    states.Add(r.StepId);
                }

                break;
            case ConditionNode.Not n:
                Collect(n.Operand, steps, states);
                break;
            case ConditionNode.Logical l:
                Collect(l.Left, steps, states);
                Collect(l.Right, steps, states);
                break;
            case ConditionNode.Compare c:
                Collect(c.Left, steps, states);
                Collect(c.Right, steps, states);
                break;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
