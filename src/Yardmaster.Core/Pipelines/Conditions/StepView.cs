using System.Text.Json;

namespace Yardmaster.Core.Pipelines.Conditions;

/// <summary>What a <c>when:</c> expression may see of an earlier step: its state and its outputs (null until it succeeded).</summary>
/// <param name="State">The step's state.</param>
/// <param name="Outputs">The JSON object it wrote to <c>$YARD_OUTPUTS</c>; null when it has none.</param>
public readonly record struct StepView(StepState State, JsonElement? Outputs);
