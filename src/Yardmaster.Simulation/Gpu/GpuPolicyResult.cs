namespace Yardmaster.Simulation.Gpu;

/// <summary>One policy's averaged curve, one point per whole percent of arrived load from 0.</summary>
internal sealed record GpuPolicyResult(string Name, IReadOnlyList<GpuPoint> Points);
