using System.Text.Json;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Serving;
using Yardmaster.Simulation.Tests.Traces;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Serving;

/// <summary>The serving simulation: the server's own pass over simulated replicas, against its baselines and bounds.</summary>
public sealed class ServingSimulationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Steady arrivals every 50 ms, 400 prompt tokens and 100 to 400 output tokens (1.1 to 4.1 s at the default token model).</summary>
    private static List<TraceRequest> Steady(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TraceRequest(i + 2, TimeSpan.FromMilliseconds(50 * i), 400, 100 + (i * 37 % 300)))];

    private static SimulateOptions Options(double? load, string output = "unused") =>
        new("trace.csv", TraceFormat.AzureLlm, null, null, new Dictionary<string, string>(), load, 1, output, false);

    private static TaskSummary Task(RunSummary run, string name) => run.Tasks.Single(t => t.Task == name);

    [Fact]
    public void Llm_AtItsOwnRate_EveryPolicyMeetsTheSlosTheBoundMeets()
    {
        var (runs, _) = LlmExperiment.Run(Steady(2000), Options(0.5));
        Assert.Equal(["bound at 0.5×", "fcfs at 0.5×", "default at 0.5×"], runs.Select(r => r.Label));
        foreach (var run in runs)
        {
            Assert.Equal(2000, run.All.Requests);
            Assert.Equal(2000, run.All.Completed);
            Assert.Equal(1.0, run.All.SloAttainment);
        }
    }

    [Fact]
    public void Llm_Overloaded_DefaultKeepsTheTopClassWhereFcfsLetsItFall()
    {
        var (runs, _) = LlmExperiment.Run(Steady(4000), Options(2.0));
        var fcfs = runs.Single(r => r.Label == "fcfs at 2×");
        var fair = runs.Single(r => r.Label == "default at 2×");
        Assert.True(Task(fcfs, "chat").SloAttainment < 0.5, $"fcfs chat attainment {Task(fcfs, "chat").SloAttainment}");
        Assert.True(Task(fair, "chat").SloAttainment > 0.99, $"default chat attainment {Task(fair, "chat").SloAttainment}");
        Assert.True(fair.All.SloMet > fcfs.All.SloMet, $"default completes {fair.All.SloMet} in time, fcfs {fcfs.All.SloMet}");
        Assert.Equal(4000, fair.All.Requests);
    }

    [Fact]
    public void Llm_SameInputs_SameFigures()
    {
        var first = LlmExperiment.Run(Steady(500), Options(1.5)).Runs;
        var second = LlmExperiment.Run(Steady(500), Options(1.5)).Runs;
        Assert.Equal(first.Select(r => (r.Label, r.All.Completed, r.All.SloMet, r.All.Latency)), second.Select(r => (r.Label, r.All.Completed, r.All.SloMet, r.All.Latency)));
    }

    [Fact]
    public void GenAi_ManyModelsInLittleMemory_BeladyLoadsNoMoreThanLru()
    {
        // 20 models, Zipf-like: model k requested with weight 1/(k+1), one request a second, each holding its slot 5 s.
        var random = new Random(7);
        var weights = Enumerable.Range(0, 20).Select(k => 1.0 / (k + 1)).ToArray();
        var trace = Enumerable.Range(0, 3000).Select(i =>
        {
            var x = random.NextDouble() * weights.Sum();
            var k = 0;
            while ((x -= weights[k]) > 0)
            {
                k++;
            }

            return new TraceRequest(i + 2, TimeSpan.FromSeconds(i), 10, 0, Model: $"M{k:00}", Service: TimeSpan.FromSeconds(5));
        }).ToList();
        var (runs, _) = GenAiExperiment.Run(trace, Options(null) with { Format = TraceFormat.AlibabaGenAi });
        long Loads(string label) => long.Parse(runs.Single(r => r.Label == label).Parameters.Single(p => p.Key == "loads").Value, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var share in new[] { "10%", "20%", "30%" })
        {
            Assert.True(Loads("belady at " + share) <= Loads("lru at " + share), $"{share}: belady {Loads("belady at " + share)} > lru {Loads("lru at " + share)}");
            Assert.True(Loads("belady at " + share) >= 20, "every model is loaded at least once");
        }

        Assert.Equal(["lru", "default", "gdsf", "rotation", "belady"], runs.Take(5).Select(r => r.Label[..r.Label.IndexOf(" at ", StringComparison.Ordinal)]));
        Assert.Equal("session-lfu", runs[1].Parameters.Single(p => p.Key == "eviction").Value);
        Assert.All(runs, r => Assert.Equal(3000, r.All.Requests));
    }

    [Theory]
    [InlineData("scheduler:\n  load_wait: 10m\n", 0, "load_wait 600 s")]
    [InlineData("models:\n  - { name: m, backend: http, url: \"http://127.0.0.1:9/v1\" }\n", 2, "alibaba-genai takes its models and its task from the trace; --config may give its scheduler: settings only")]
    public async Task Simulate_AlibabaGenAiWithConfig_UsesItsSchedulerSettingsAndRefusesModels(string yaml, int exit, string expected)
    {
        using var folder = new TempDirectory();
        var trace = Path.Combine(folder.Path, "genai.csv");
        await File.WriteAllLinesAsync(trace, [
            "gmt_create,predict_type,predict_status,exec_time_seconds,groupId,prompt_length,negative_prompt_length,num_images_per_prompt,num_inference_steps,checkpoint_model_version_id,num_lora",
            "2026-01-05 00:00:00,TXT_2_IMG,SUCCEED,10.0,G0,64.0,,1.0,30.0,M0,0",
            "2026-01-05 00:00:05,TXT_2_IMG,SUCCEED,10.0,G0,64.0,,1.0,30.0,M1,0",
        ], Ct);
        var config = Path.Combine(folder.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, yaml, Ct);
        var options = new SimulateOptions(trace, TraceFormat.AlibabaGenAi, null, config, new Dictionary<string, string>(), null, 1, Path.Combine(folder.Path, "out"), false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(exit, await Simulator.RunAsync(options, stdout, stderr, Ct));
        Assert.Contains(expected, stdout.ToString() + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_AzureFixture_WritesTheSummaryOfEveryRun()
    {
        using var output = new TempDirectory();
        var trace = Path.Combine(TraceFixtures.Directory, "azure-llm-conv-head.csv");
        var options = new SimulateOptions(trace, TraceFormat.AzureLlm, null, null, new Dictionary<string, string>(), null, 1, output.Path, false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await Simulator.RunAsync(options, stdout, stderr, Ct));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.Path, "summary.json"), Ct));
        var labels = json.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("label").GetString()).ToList();
        Assert.Equal(LlmExperiment.Loads.Count * 3, labels.Count);
        Assert.Contains("fcfs at 1.5×", labels);
        Assert.Contains("default at 0.5×", labels);
        Assert.Contains("## default at 1×", await File.ReadAllTextAsync(Path.Combine(output.Path, "summary.md"), Ct), StringComparison.Ordinal);

        // The plots: goodput and each task's attainment over the loads, one line per policy.
        foreach (var plot in new[] { "goodput.svg", "attainment-chat.svg", "attainment-search.svg", "attainment-batch.svg" })
        {
            var svg = await File.ReadAllTextAsync(Path.Combine(output.Path, plot), Ct);
            Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
            Assert.All(new[] { "<title>fcfs</title>", "<title>default</title>", "<title>bound</title>" }, line => Assert.Contains(line, svg, StringComparison.Ordinal));
        }

        Assert.Contains("goodput.svg", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output.Path, "loads.svg")));
    }

    [Fact]
    public async Task Simulate_UnknownPolicy_ListsTheKnownOnesAndWritesNothing()
    {
        using var output = new TempDirectory();
        var trace = Path.Combine(TraceFixtures.Directory, "azure-llm-conv-head.csv");
        var options = new SimulateOptions(trace, TraceFormat.AzureLlm, null, null, new Dictionary<string, string> { ["queue"] = "lifo" }, null, 1, output.Path, false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, await Simulator.RunAsync(options, stdout, stderr, Ct));
        Assert.Equal("error: --policy queue=lifo: unknown; known: fair, fair-sjf, fcfs", stderr.ToString().Trim());
        Assert.False(File.Exists(Path.Combine(output.Path, "summary.json")));
    }

    [Fact]
    public async Task Simulate_YardRequestLog_TasksItNamesAreSimulatedWithTheirClass()
    {
        using var dir = new TempDirectory();
        var trace = Path.Combine(dir.Path, "requests.jsonl");
        var lines = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? $$"""{"timestamp":{{i * 100}},"input_length":50,"output_length":20,"task":"chat","priority":"high"}"""
            : $$"""{"timestamp":{{i * 100}},"input_length":50,"output_length":20,"task":"nightly-eval","priority":"low"}""");
        await File.WriteAllLinesAsync(trace, lines, Ct);
        var options = new SimulateOptions(trace, TraceFormat.Yard, null, null, new Dictionary<string, string>(), 1.0, 1, Path.Combine(dir.Path, "out"), false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await Simulator.RunAsync(options, stdout, stderr, Ct));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "out", "summary.json"), Ct));
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("label").GetString() == "default at 1×");
        var tasks = run.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("task").GetString()!, t => t.GetProperty("completed").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["chat"] = 20, ["nightly-eval"] = 20 }, tasks);
    }

    [Fact]
    public async Task Simulate_ConfigDeclaresTheModel_ItsReplicasAndTokenModelAreSimulated()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, """
            models:
              - name: tiny
                backend: http
                url: http://127.0.0.1:9/v1
                slots: 2
                simulation: { prefill_tokens_per_second: 1000, decode_tokens_per_second: 20 }
            tasks:
              - name: chat
                priority: high
                models: [tiny]
                slo: { latency: 20s }
            """, Ct);
        var trace = Path.Combine(dir.Path, "trace.csv");
        // One request every 10 s, 100 tokens in and 100 out: 0.1 s + 5 s each at the declared token model.
        await File.WriteAllLinesAsync(trace, ["TIMESTAMP,ContextTokens,GeneratedTokens", .. Enumerable.Range(0, 20).Select(i => $"2023-11-16 18:{15 + (i / 6):00}:{i % 6 * 10:00}.0000000,100,100")], Ct);
        var options = new SimulateOptions(trace, TraceFormat.AzureLlm, null, config, new Dictionary<string, string>(), 1.0, 1, Path.Combine(dir.Path, "out"), false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await Simulator.RunAsync(options, stdout, stderr, Ct));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "out", "summary.json"), Ct));
        Assert.Contains("`tiny` replicas 1-1 of 2 slots, 0 B each, prefill 1000 and decode 20 tokens/s per sequence", json.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).First(n => n.StartsWith("Models as", StringComparison.Ordinal)), StringComparison.Ordinal);
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("label").GetString() == "default at 1×");
        Assert.Equal(20, run.GetProperty("all").GetProperty("completed").GetInt64());
        var p50 = run.GetProperty("all").GetProperty("latency_ms").GetProperty("p50").GetDouble();
        Assert.InRange(p50, 4000, 6500); // 5.1 s of service (histogram buckets are within about 19%); an http backend is one replica, always there
    }

    [Fact]
    public async Task Simulate_InvalidConfig_FailsAsServeWouldWithFileLineAndField()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, "scheduler:\n  queue: lifo\n", Ct);
        var trace = Path.Combine(TraceFixtures.Directory, "azure-llm-conv-head.csv");
        var options = new SimulateOptions(trace, TraceFormat.AzureLlm, null, config, new Dictionary<string, string>(), null, 1, Path.Combine(dir.Path, "out"), false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, await Simulator.RunAsync(options, stdout, stderr, Ct));
        Assert.StartsWith($"error: {config}:2:", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("scheduler.queue", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
    }

    [Fact]
    public void Footprint_UndeclaredMemory_TheFileSizeElseOneGiB()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "m.gguf");
        File.WriteAllBytes(file, new byte[123_456]);
        Assert.Equal(123_456, LlmWorkload.Footprint(new Core.Configuration.ModelDefinition { Name = "m", Path = file }));
        Assert.Equal(1L << 30, LlmWorkload.Footprint(new Core.Configuration.ModelDefinition { Name = "m", Path = Path.Combine(dir.Path, "missing.gguf") }));
    }
}
