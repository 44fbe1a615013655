namespace Yardmaster.Simulation.Gpu;

/// <summary>
/// One run of one policy on one arrival sequence, read at each whole percent of arrived load (index 0 to the maximum):
/// the state just after the arrival that brought the load to that percent. Shares are percent of the cluster's GPUs.
/// </summary>
/// <param name="Allocated">GPU capacity taken by the placed pods.</param>
/// <param name="Fragmented">Expected fragmentation (FGD's measure against the trace's workload) of the free GPUs.</param>
/// <param name="FailedGpu">GPU demand of the pods that could not be placed.</param>
/// <param name="UnplacedPods">Pods that could not be placed (of every kind, CPU-only included).</param>
internal sealed record GpuCurve(double[] Allocated, double[] Fragmented, double[] FailedGpu, int[] UnplacedPods);
