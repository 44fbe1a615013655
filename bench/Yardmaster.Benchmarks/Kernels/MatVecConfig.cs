using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Yardmaster.Benchmarks.Kernels;

/// <summary>
/// Adds the <see cref="WeightBandwidthColumn"/> and a short default job, as there are 48 cases on a
/// shared 2-core machine: one process per case, 3 warm-up and 10 measured iterations of about 100 ms,
/// and no overhead evaluation (an empty call is nanoseconds against calls of tens of microseconds and
/// more). The job is marked as the default, so a <c>--job</c> given on the command line replaces it
/// instead of running both.
/// </summary>
public sealed class MatVecConfig : ManualConfig
{
    public MatVecConfig()
    {
        AddColumn(new WeightBandwidthColumn());
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithEvaluateOverhead(false)
            .AsDefault());
    }
}
