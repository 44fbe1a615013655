using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Gpu;

/// <summary>What the experiment runs.</summary>
/// <param name="Nodes">The cluster.</param>
/// <param name="Pool">The trace's pods, drawn from with replacement.</param>
/// <param name="Workload">The target workload FGD measures fragmentation against (the trace's pods).</param>
/// <param name="Policies">Placement policy names, in report order.</param>
/// <param name="Repetitions">Arrival sequences (each placed by every policy).</param>
/// <param name="Seed">The seed of the sequences (and of the random policy).</param>
/// <param name="MaxPercent">Pods arrive until the GPUs they ask reach this percent of the cluster's.</param>
internal sealed record GpuExperimentSetup(
    IReadOnlyList<GpuNodeSpec> Nodes, IReadOnlyList<GpuTask> Pool, GpuWorkload Workload, IReadOnlyList<string> Policies, int Repetitions, int Seed, int MaxPercent);
