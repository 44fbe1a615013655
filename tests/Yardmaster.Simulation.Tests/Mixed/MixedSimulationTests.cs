using Yardmaster.Simulation.Mixed;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Mixed;

/// <summary>Serving and batch steps on one cluster's cores, shared or split: what each side gets.</summary>
public sealed class MixedSimulationTests
{
    /// <summary>A replica's rates alone, whatever runs beside it: prefill 1,000 and decode 100 tokens/s (a thread per core), half that with half the threads.</summary>
    private static readonly ModelSpeed _full = new(1000, 100, TimeSpan.FromSeconds(1));
    private static readonly ModelSpeed _half = new(500, 50, TimeSpan.FromSeconds(1));

    /// <summary>One line of one token each way per shard: the engine is busy for about 12 ms a shard at full speed.</summary>
    private static MixedOptions Options(int nodes, double minutes) => new()
    {
        Nodes = nodes,
        Cores = 2,
        Window = TimeSpan.FromMinutes(minutes),
        SpeedPerNode = 1,
        CpuStepSeconds = 3,
        Lines = 1,
        LinePromptTokens = 1,
        LineOutputTokens = 1,
    };

    /// <summary>A request every <paramref name="every"/> seconds of the trace, <paramref name="count"/> of them, 160 prompt tokens (10 words) and 800 output (100 after scaling).</summary>
    private static List<TraceRequest> Every(double every, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TraceRequest(i + 2, TimeSpan.FromSeconds(every * i), 160, 800))];

    private static (MixedResult Split, MixedResult Shared) Both(MixedOptions options, IReadOnlyList<TraceRequest> trace) =>
        (new MixedSimulation(options, false, _full, _half).Run(trace), new MixedSimulation(options, true, _full, _half).Run(trace));

    [Fact]
    public void NoOnlineTraffic_SharedStepsGetEveryCore_TheSplitsHalf()
    {
        var (split, shared) = Both(Options(1, 1), []);

        // 60 s of 3-second steps: 20 on the split's one core, 40 on the shared pool's two, less what the engine took for the lines.
        Assert.InRange(split.Preps, 19, 20);
        Assert.InRange(shared.Preps, 38, 40);
        // Every prep has the longer remaining path, so none of the posts its line made ready ran within the window (the live order).
        Assert.Equal(0, split.Posts);
        Assert.Equal(0, shared.Posts);
        // Each finished prep sent its line; at most the last ones are still being answered at the end.
        Assert.InRange(split.Lines, split.Preps - 1, split.Preps);
        Assert.InRange(shared.Lines, shared.Preps - 2, shared.Preps);
        Assert.Equal(0, shared.Online.All.Requests);
    }

    [Fact]
    public void EngineNeverIdle_SharedStepsGetNothing_TheSplitKeepsItsHalf()
    {
        // A 1-second answer (100 tokens at 100/s) every 0.1 s on one node: the shared engine is never idle, and its threads
        // take both cores before any step; the split's batch half has its own core and serves only the steps' lines.
        var (split, shared) = Both(Options(1, 1), Every(0.1, 2000));

        Assert.True(shared.EngineBusyShare > 0.99, $"the shared engine was busy {shared.EngineBusyShare:P1} of the time");
        Assert.Equal(0, shared.CpuSteps);
        Assert.Equal(0, shared.StepCoreShare);
        Assert.InRange(split.Preps, 19, 20);
    }

    [Fact]
    public void CoreSeconds_AddUpToTheStepsDone_AndNeverExceedWhatTheEnginesLeave()
    {
        var options = Options(3, 2); // every pass on every thread (the default): a busy engine leaves nothing
        var trace = Every(1.5, 400);
        var (split, shared) = Both(options, trace);

        foreach (var r in new[] { split, shared })
        {
            var seconds = r.StepCoreShare * options.Nodes * options.Cores * options.Window.TotalSeconds;
            var finished = r.CpuSteps * options.CpuStepSeconds;
            // Finished steps' work, plus at most one unfinished step per core at the end.
            Assert.InRange(seconds, finished - 1e-6, finished + (options.Nodes * options.Cores * options.CpuStepSeconds));
        }

        // Shared: the steps have the cores only while the node's engine is idle. Split: only their half, the same way (times are
        // whole ticks of 100 ns, hence the tolerance).
        Assert.True(shared.StepCoreShare <= 1 - shared.EngineBusyShare + 1e-6, $"{shared.StepCoreShare} of the cores with the engines busy {shared.EngineBusyShare}");
        Assert.True(split.StepCoreShare <= (0.5 * (1 - split.EngineBusyShare)) + 1e-6, $"{split.StepCoreShare} of the cores with the engines busy {split.EngineBusyShare}");
        Assert.True(shared.CpuSteps > 0 && split.CpuSteps > 0);

        // The same run again gives the same figures.
        var again = new MixedSimulation(options, true, _full, _half).Run(trace);
        Assert.Equal((shared.Preps, shared.Lines, shared.StepCoreShare, shared.Online.All.SloMet), (again.Preps, again.Lines, again.StepCoreShare, again.Online.All.SloMet));
    }

    [Fact]
    public void BackgroundPasses_BatchLinesAloneLeaveTheStepsACore()
    {
        // Long lines (10 s each at full speed) and no online traffic: the shared engine is busy with batch lines most of the
        // minute. Every pass on both threads leaves the steps only the gaps; batch passes on one thread leave them a core.
        var options = Options(1, 1) with { LineOutputTokens = 1000 };
        var on = new MixedSimulation(options with { BackgroundPasses = true }, true, _full, _half).Run([]);
        var off = new MixedSimulation(options, true, _full, _half).Run([]);

        Assert.True(off.StepCoreShare <= 1 - off.EngineBusyShare + 1e-6, $"{off.StepCoreShare} of the cores beside an engine busy {off.EngineBusyShare:P1}");
        Assert.True(on.StepCoreShare > 1 - on.EngineBusyShare + 0.2, $"{on.StepCoreShare} of the cores beside an engine busy {on.EngineBusyShare:P1}");
        Assert.True(on.Preps > off.Preps, $"{on.Preps} steps with batch passes on one thread, {off.Preps} on both");
        Assert.Equal("shared, batch passes leave steps a core", on.Setup);
        Assert.Equal("shared", off.Setup);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(4, 120)] // the fourth stretch wraps round the trace's end: 10 requests before it and 20 after
    public void Online_EachNodeGetsItsOwnStretchOfTheTrace(int nodes, int expected)
    {
        // 100 requests 1 s apart; a 30-second window at the trace's own speed: each node's stretch holds 30 of them.
        var options = Options(nodes, 0.5);
        var result = new MixedSimulation(options, true, _full, _half).Run(Every(1, 100));

        Assert.Equal(expected, result.Online.All.Requests);
    }
}
