namespace Yardmaster.PolicySim.Traces;

/// <summary>One row of the Azure LLM conversation trace.</summary>
/// <param name="Row">0-based data row (the header excluded).</param>
/// <param name="Offset">Time since the first request.</param>
/// <param name="ContextTokens">Prompt tokens.</param>
/// <param name="GeneratedTokens">Completion tokens.</param>
internal sealed record ConvRequest(int Row, TimeSpan Offset, int ContextTokens, int GeneratedTokens);
