using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Traces;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Simulation.Tests.Tuning;

public sealed class TuneSpaceTests
{
    [Fact]
    public void Within_NoBounds_TheWholeSpace() => Assert.Same(TuneSpace.Full, TuneSpace.Within(null));

    [Fact]
    public void Within_BatchWaitRange_OnlyBatchWaitsInsideItWithItsEnds()
    {
        var space = TuneSpace.Within(new AdaptBounds { MaxWait = new Dictionary<string, (TimeSpan, TimeSpan)> { ["batch"] = (TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(10)) } });

        Assert.Equal([TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)], space.BatchWaits);
        Assert.Empty(space.Queues);
        Assert.Empty(space.DefaultWaits);
        Assert.Empty(space.LowWaits);
        Assert.Empty(space.MaxQueues);
        Assert.Empty(space.Evictions);
    }

    [Fact]
    public void Tune_BoundsKeepTheBatchWait_NoChangeOutsideThem()
    {
        // The overload where a longer batch bound wins (PolicyTunerTests), with the batch bound held where it is.
        List<TraceRequest> trace = [.. Enumerable.Range(0, 3000).Select(i => new TraceRequest(i + 2, TimeSpan.FromMilliseconds(50 * i), 400, 100 + (i * 37 % 300)))];
        var config = new YardConfig { Scheduler = new SchedulerSettings { MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan> { [PriorityClass.Low] = TimeSpan.FromMinutes(2), [PriorityClass.Batch] = TimeSpan.FromSeconds(20) } } };
        var held = TuneSpace.Within(new AdaptBounds { MaxQueue = (config.Scheduler.MaxQueue, config.Scheduler.MaxQueue) });

        var free = PolicyTuner.Tune(trace, config, TuneObjective.Slo, load: 2.0, seeds: 1, budget: TimeSpan.FromMinutes(10));
        var bounded = PolicyTuner.Tune(trace, config, TuneObjective.Slo, load: 2.0, seeds: 1, budget: TimeSpan.FromMinutes(10), held);

        Assert.NotEqual(TimeSpan.FromSeconds(20), free.Best.Candidate.BatchWait);
        Assert.Equal(bounded.Current.Candidate, bounded.Best.Candidate);
        Assert.Equal(1, bounded.Evaluated);
    }
}
