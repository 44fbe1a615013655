namespace Yardmaster.PolicySim.Traces;

/// <summary>One row of the Alibaba GenAI LoRA request trace.</summary>
/// <param name="At">Arrival (<c>gmt_create</c>, one-second resolution).</param>
/// <param name="Model">The base model (<c>checkpoint_model_version_id</c>).</param>
/// <param name="Exec">Execution time (<c>exec_time_seconds</c>).</param>
internal sealed record LoraRequest(DateTimeOffset At, string Model, TimeSpan Exec);
