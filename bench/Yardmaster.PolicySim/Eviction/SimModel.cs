namespace Yardmaster.PolicySim.Eviction;

/// <summary>A model of the LoRA trace with its fixed load time and memory footprint.</summary>
internal sealed record SimModel(string Name, TimeSpan LoadTime, long Bytes);
