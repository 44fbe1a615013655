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
        Assert.Equal(TuneCandidate.From(new SchedulerSettings(), TuneKnobs.From(new Simulation.Serving.LlmWorkload(Steady(1000), null))), result.Current.Candidate);
        Assert.Contains("no change predicted better", TuneReport.Write(result, TuneObjective.Goodput, 0.5, 2, [("chat", "high", "latency 10s")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Candidate_Yaml_ReadsBackAsTheSameSettings()
    {
        var candidate = new TuneCandidate("fair", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), 256, "lru", TuneKnobs.None);
        var yaml = "scheduler:\n" + string.Join("\n", candidate.Yaml()) + "\n";
        var loaded = Runtime.Configuration.YardConfigLoader.LoadText(yaml, "tuned.yaml", ".");
        Assert.True(loaded.Success, string.Join("; ", loaded.Errors));
        Assert.Equal(candidate, TuneCandidate.From(loaded.Config!.Scheduler));
    }

    private static YardConfig Load(string yaml)
    {
        var loaded = Runtime.Configuration.YardConfigLoader.LoadText(yaml, "yard.yaml", ".");
        Assert.True(loaded.Success, string.Join("; ", loaded.Errors));
        return loaded.Config!;
    }

    [Fact]
    public void Tune_BurstsFartherApartThanKeepAlive_KeepsTheModelWarmAndTheDiffSaysSo()
    {
        // A burst of 20 requests every 3 minutes; the model unloads after 1 minute idle and takes 30 s to load, so every
        // burst waits for a load and its 10 s SLO is lost. Kept warm (a longer keep-alive, or one replica always), none is.
        var config = Load($$"""
            models:
              - name: m
                path: {{SharedModels.Stories260K}}
                memory: 1GiB
                slots: 4
                replicas: { min: 0, max: 1 }
                keep_alive: 1m
                simulation: { prefill_tokens_per_second: 4000, decode_tokens_per_second: 100, load_time: 30s }
            tasks:
              - { name: chat, priority: high, slo: { latency: 10s }, models: [m] }
              - { name: search, priority: normal, slo: { latency: 10s }, models: [m] }
              - { name: batch, priority: batch, slo: { latency: 10s }, models: [m] }
            """);
        List<TraceRequest> trace = [.. Enumerable.Range(0, 200).Select(i => new TraceRequest(i + 2, TimeSpan.FromMinutes(3 * (i / 20)) + TimeSpan.FromMilliseconds(100 * (i % 20)), 100, 20))];

        var result = PolicyTuner.Tune(trace, config, TuneObjective.Slo, load: 1.0, seeds: 1, budget: TimeSpan.FromMinutes(10));

        var now = Assert.Single(result.Current.Candidate.Knobs.Models);
        var best = Assert.Single(result.Best.Candidate.Knobs.Models);
        Assert.Equal(new ModelKnob("m", TimeSpan.FromMinutes(1), 0, 1), now);
        Assert.True(best.ReplicasMin > 0 || best.KeepAlive is null || best.KeepAlive > TimeSpan.FromMinutes(3), $"best {best}");
        Assert.True(result.Best.Attainment["chat"] > result.Current.Attainment["chat"] + 0.5, $"chat {result.Current.Attainment["chat"]} -> {result.Best.Attainment["chat"]}");
        var report = TuneReport.Write(result, TuneObjective.Slo, 1.0, 1, [("chat", "high", "latency 10s")]);
        Assert.Contains("\n models:\n-  - { name: m, keep_alive: 1m, replicas: { min: 0, max: 1 } }\n+  - { name: m, ", report.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain(" tasks:", report, StringComparison.Ordinal); // no weight changed, no section
    }

    [Fact]
    public void Tune_TwoTasksOfOneClassOneStarved_RaisesItsWeight()
    {
        // search and chat share the normal class on 12 slots (no memory for more), overloaded: search sends 30% of the
        // requests, about 15 slots of work, with a 6 s SLO; chat 20%, 10 slots, with 10 minutes. A fair half (6 slots) serves
        // under half of search in time; a heavier search gets more, and chat catches up later. The aging bound is as long as
        // chat's SLO: a shorter one would serve chat's aged backlog first whatever the weights (30 s, the default, does).
        var config = Load($$"""
            scheduler: { max_wait: { default: 10m } }
            devices: { cpu: { memory: 3GiB } }
            models:
              - name: llm
                path: {{SharedModels.Stories260K}}
                memory: 1GiB
                slots: 4
                replicas: { min: 3, max: 3 }
                simulation: { prefill_tokens_per_second: 4000, decode_tokens_per_second: 100 }
            tasks:
              - { name: chat, priority: normal, slo: { latency: 10m }, models: [llm] }
              - { name: search, priority: normal, slo: { latency: 6s }, models: [llm] }
              - { name: batch, priority: batch, slo: { latency: 10m }, models: [llm] }
            """);

        // The registry's knobs alone (weights, keep-alive, replicas): the queue policies would also help, and are tested above.
        var result = PolicyTuner.Tune(Steady(3000), config, TuneObjective.Slo, load: 1.0, seeds: 1, budget: TimeSpan.FromMinutes(10), new TuneSpace([], [], [], [], [], [], Registry: true));

        var weights = result.Best.Candidate.Knobs.Tasks.ToDictionary(t => t.Name, t => t.Weight);
        Assert.True(weights["search"] > weights["chat"], TuneReport.Write(result, TuneObjective.Slo, 1.0, 1, []));
        Assert.All(result.Best.Candidate.Knobs.Models, m => Assert.True(m.ReplicasMax <= 3, $"{m.ReplicasMax} replicas of 1 GiB proposed in 3 GiB"));
        Assert.True(result.Best.Attainment["search"] > result.Current.Attainment["search"], $"search {result.Current.Attainment["search"]} -> {result.Best.Attainment["search"]}");
        Assert.Contains("\n tasks:\n", TuneReport.Write(result, TuneObjective.Slo, 1.0, 1, [("search", "normal", "latency 6s")]).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
