namespace Yardmaster.Simulation.Traces;

/// <summary>One node of the openb node list.</summary>
/// <param name="Line">Its line in the file (1 is the header).</param>
/// <param name="Name">Its <c>sn</c>.</param>
/// <param name="CpuMillis"><c>cpu_milli</c>.</param>
/// <param name="MemoryMib"><c>memory_mib</c>.</param>
/// <param name="Gpus"><c>gpu</c>: how many GPUs.</param>
/// <param name="Model"><c>model</c>: the GPU model (empty for a node without GPU).</param>
internal sealed record AlibabaGpuNode(long Line, string Name, long CpuMillis, long MemoryMib, int Gpus, string Model);
