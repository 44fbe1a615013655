using System.Text.Json;

namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>A node of a parsed <c>when:</c> expression. Immutable.</summary>
internal abstract record ConditionNode
{
    /// <summary>A literal: a number (<see cref="double"/>), a string, <c>true</c>/<c>false</c> or <c>null</c>.</summary>
    public sealed record Literal(object? Value) : ConditionNode;

    /// <summary><c>steps.ID.state</c>, or <c>steps.ID.outputs</c> followed by <paramref name="Path"/> (keys as strings, indexes as ints).</summary>
    public sealed record StepReference(string StepId, bool State, IReadOnlyList<object> Path) : ConditionNode;

    /// <summary>A comparison: <c>== != &lt; &lt;= &gt; &gt;=</c>.</summary>
    public sealed record Compare(string Operator, ConditionNode Left, ConditionNode Right) : ConditionNode;

    /// <summary><c>and</c> (<paramref name="And"/> true) or <c>or</c>, short-circuit.</summary>
    public sealed record Logical(bool And, ConditionNode Left, ConditionNode Right) : ConditionNode;

    /// <summary><c>not</c>.</summary>
    public sealed record Not(ConditionNode Operand) : ConditionNode;

    /// <summary>The value of an element of a step's outputs as the evaluator compares it.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element, // an object or an array: equal only to one with the same JSON
    };
}
