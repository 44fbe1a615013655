using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Traces;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Simulation.Tests.Tuning;

public sealed class PolicyTunerTests
{
    /// <summary>Steady arrivals every 50 ms, 400 prompt tokens and 100 to 400 output tokens: at 2x the slots the trace derives, a sustained overload.</summary>
    private static List<TraceRequest> Steady(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TraceRequest(i + 2, TimeSpan.FromMilliseconds(50 * i), 400, 100 + (i * 37 % 300)))];

    private static YardConfig BatchAgingAt(TimeSpan bound) => new()
    {
        Scheduler = new SchedulerSettings { MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan> { [PriorityClass.Low] = TimeSpan.FromMinutes(2), [PriorityClass.Batch] = bound } },
    };

    [Fact]
    public void Tune_OverloadWithAShortBatchAgingBound_FindsALongerOneThatKeepsTheHighClass()
    {
        var result = PolicyTuner.Tune(Steady(6000), BatchAgingAt(TimeSpan.FromSeconds(20)), TuneObjective.Slo, load: 2.0, seeds: 2, budget: TimeSpan.FromMinutes(10));

        Assert.True(result.Complete);
        Assert.Equal(TimeSpan.FromSeconds(20), result.Current.Candidate.BatchWait);
        Assert.True(result.Best.Candidate.BatchWait > TimeSpan.FromSeconds(20), $"best batch bound {result.Best.Candidate.BatchWait}");
        Assert.True(result.Confident, $"gains {string.Join(", ", result.Gains)}");
        Assert.True(result.Best.Attainment["chat"] > result.Current.Attainment["chat"], $"chat {result.Current.Attainment["chat"]} -> {result.Best.Attainment["chat"]}");
    }

    [Fact]
    public void Tune_LightLoad_NoChangeIsPredictedBetter()
    {
        var result = PolicyTuner.Tune(Steady(1000), null, TuneObjective.Goodput, load: 0.5, seeds: 2, budget: TimeSpan.FromMinutes(10));

        Assert.Equal(result.Current.Candidate, result.Best.Candidate);
        Assert.Equal(TuneCandidate.From(new SchedulerSettings()), result.Current.Candidate);
        Assert.Contains("no change predicted better", TuneReport.Write(result, TuneObjective.Goodput, 0.5, 2, [("chat", "high", "latency 10s")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Candidate_Yaml_ReadsBackAsTheSameSettings()
    {
        var candidate = new TuneCandidate("fair", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), 256, "lru");
        var yaml = "scheduler:\n" + string.Join("\n", candidate.Yaml()) + "\n";
        var loaded = Runtime.Configuration.YardConfigLoader.LoadText(yaml, "tuned.yaml", ".");
        Assert.True(loaded.Success, string.Join("; ", loaded.Errors));
        Assert.Equal(candidate, TuneCandidate.From(loaded.Config!.Scheduler));
    }
}
