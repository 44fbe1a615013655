namespace Yardmaster.Simulation.Traces;

/// <summary>One pod of the openb pod list: what it asks (its times are not used: the experiment samples arrivals).</summary>
/// <param name="Line">Its line in the file (1 is the header).</param>
/// <param name="Name">Its <c>name</c>.</param>
/// <param name="CpuMillis"><c>cpu_milli</c>.</param>
/// <param name="MemoryMib"><c>memory_mib</c>.</param>
/// <param name="GpuCount"><c>num_gpu</c>.</param>
/// <param name="GpuMilli"><c>gpu_milli</c>: thousandths of each GPU (1000 for whole GPUs).</param>
/// <param name="GpuSpec"><c>gpu_spec</c>: the GPU models it may run on (separated by <c>|</c> in the file); empty for any.</param>
internal sealed record AlibabaGpuPod(long Line, string Name, long CpuMillis, long MemoryMib, int GpuCount, int GpuMilli, IReadOnlyList<string> GpuSpec);
