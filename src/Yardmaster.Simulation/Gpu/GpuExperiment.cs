using System.Collections.Concurrent;
using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Gpu;

/// <summary>
/// The paper's experiment (Weng et al., ATC 2023, §6): for each repetition, one seeded sequence of pods drawn from the
/// trace arrives on the empty cluster until the GPUs asked reach <see cref="GpuExperimentSetup.MaxPercent"/>% of its
/// capacity, and every policy places that same sequence. The runs are independent and spread over the cores; the
/// result does not depend on how.
/// </summary>
internal static class GpuExperiment
{
    /// <summary>Each policy's curve, averaged over the repetitions, in the order of <see cref="GpuExperimentSetup.Policies"/>.</summary>
    public static IReadOnlyList<GpuPolicyResult> Run(GpuExperimentSetup setup, CancellationToken cancellationToken)
    {
        var probe = new GpuCluster(setup.Nodes);
        var target = ((probe.GpuCapacityMilli * setup.MaxPercent) + 99) / 100;
        var sequences = Enumerable.Range(0, setup.Repetitions).Select(r => GpuArrivals.Sample(setup.Pool, target, GpuArrivals.SeedOf(setup.Seed, r))).ToArray();
        var curves = setup.Policies.Select(_ => new GpuCurve[setup.Repetitions]).ToArray();
        var jobs = Enumerable.Range(0, setup.Policies.Count * setup.Repetitions).ToList();
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(Partitioner.Create(jobs, EnumerablePartitionerOptions.NoBuffering), options, job =>
        {
            var (p, r) = (job / setup.Repetitions, job % setup.Repetitions);
            var policy = GpuPlacementPolicies.Create(setup.Policies[p], setup.Workload, GpuArrivals.SeedOf(setup.Seed, r))!;
            curves[p][r] = GpuRun.Run(new GpuCluster(setup.Nodes), policy, setup.Workload, setup.Pool, sequences[r], setup.MaxPercent, cancellationToken);
        });

        return [.. setup.Policies.Select((name, p) => new GpuPolicyResult(name, Average(curves[p], setup.MaxPercent)))];
    }

    private static GpuPoint[] Average(GpuCurve[] runs, int maxPercent)
    {
        var points = new GpuPoint[maxPercent + 1];
        for (var x = 0; x <= maxPercent; x++)
        {
            var unallocated = runs.Select(c => 100 - c.Allocated[x]).ToArray();
            var mean = unallocated.Average();
            var sd = Math.Sqrt(unallocated.Sum(u => (u - mean) * (u - mean)) / Math.Max(1, runs.Length - 1));
            points[x] = new GpuPoint(
                x, runs.Average(c => c.Allocated[x]), mean, sd, runs.Average(c => c.Fragmented[x]), runs.Average(c => c.FailedGpu[x]), runs.Average(c => c.UnplacedPods[x]));
        }

        return points;
    }
}
