namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>Thrown inside <see cref="ConditionParser"/> only, and turned into a <see cref="ConditionError"/> value by <see cref="Condition.TryParse"/>.</summary>
internal sealed class ConditionSyntaxException(ConditionError error) : Exception(error.ToString())
{
    public ConditionError Error { get; } = error;
}
