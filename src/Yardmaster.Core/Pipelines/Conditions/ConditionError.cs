namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>Why a <c>when:</c> expression does not parse, and where: <paramref name="Column"/> is 1-based in the expression's text.</summary>
/// <param name="Column">The column of the offending character or token.</param>
/// <param name="Message">What was wrong, e.g. "expected a value after '&lt;'".</param>
public sealed record ConditionError(int Column, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"column {Column}: {Message}";
}
