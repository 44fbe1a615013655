using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Yardmaster.Benchmarks.Placement;

/// <summary>
/// Adds the <see cref="DecisionsPerSecondColumn"/> and a job short enough for a shared 2-core machine: one
/// process per case, 5 warm-up and 15 measured iterations (a pass takes milliseconds, so BenchmarkDotNet
/// runs several per iteration). Marked as the default, so a <c>--job</c> on the command line replaces it.
/// </summary>
public sealed class PlacementConfig : ManualConfig
{
    public PlacementConfig()
    {
        AddColumn(new DecisionsPerSecondColumn());
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(15)
            .AsDefault());
    }
}
