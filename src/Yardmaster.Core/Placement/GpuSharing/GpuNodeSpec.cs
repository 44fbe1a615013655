namespace Yardmaster.Core.Placement.GpuSharing;

/// <summary>One node's capacity: CPU, memory and its GPUs, all of one model.</summary>
/// <param name="CpuMillis">Millicores.</param>
/// <param name="MemoryMib">Memory in MiB.</param>
/// <param name="Gpus">GPUs (0..<see cref="GpuCluster.MaxGpusPerNode"/>).</param>
/// <param name="Model">Its GPU model as a small number (0..63) the caller assigns; see <see cref="GpuTask.Models"/>.</param>
public readonly record struct GpuNodeSpec(long CpuMillis, long MemoryMib, int Gpus, int Model = 0);
