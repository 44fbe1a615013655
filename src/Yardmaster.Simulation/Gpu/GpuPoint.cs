namespace Yardmaster.Simulation.Gpu;

/// <summary>The mean over the repetitions at one arrived load; shares are percent of the cluster's GPU capacity.</summary>
/// <param name="Arrived">GPUs asked by the pods arrived so far.</param>
/// <param name="Allocated">GPUs taken by placed pods.</param>
/// <param name="Unallocated">100 − <paramref name="Allocated"/>: GPUs idle, fragmented or not.</param>
/// <param name="UnallocatedSd">Its standard deviation over the repetitions.</param>
/// <param name="Fragmented">Expected fragmentation of the free GPUs (FGD's measure).</param>
/// <param name="FailedGpu">GPUs asked by the pods that could not be placed.</param>
/// <param name="UnplacedPods">Pods that could not be placed.</param>
internal sealed record GpuPoint(int Arrived, double Allocated, double Unallocated, double UnallocatedSd, double Fragmented, double FailedGpu, double UnplacedPods);
