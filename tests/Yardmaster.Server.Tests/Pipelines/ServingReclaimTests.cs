using System.Net;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>
/// Serving takes host memory back from pipeline steps, on a real <c>yard serve</c> with the builtin model: a high request finds the
/// memory its model needs held by a batch step, which is stopped (SIGTERM), requeued without using a retry, and completes exactly once
/// after the model unloads; a step that may not be preempted keeps its memory.
/// </summary>
public sealed class ServingReclaimTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // 256 MiB of host memory; the model declares 64 MiB; the step reserves 224, leaving 32.
    private static string Config(string loadWait = "30s") => $$"""
        server: { port: 0 }
        devices: { cpu: { memory: 256MiB, cores: 2 } }
        scheduler: { load_wait: {{loadWait}} }
        jobs: { stop_grace: 5s }
        models:
          - name: one
            path: stories260K.gguf
            context: 128
            memory: 64MiB
            keep_alive: 1s
        tasks:
          - { name: chat, priority: high, models: [one] }
        """;

    // The first attempt waits to be stopped and notes SIGTERM; a later one finishes at once. "started" is written once the
    // trap is set: the test sends its request when it sees the file, and a SIGTERM before the trap would end the shell unnoted.
    private static string Pipeline(string priority) => $$"""
        name: crunch
        priority: {{priority}}
        steps:
          - id: work
            run: |
              if [ -f started ]; then echo done >> finished; exit 0; fi
              trap 'echo term >> terms; exit 143' TERM
              touch started
              sleep 120 & wait
            resources: { cpu: 500m, memory: 224MiB }
        """;

    [Fact]
    public async Task HighRequest_BatchStepHoldsTheMemory_StepPreemptedModelAnswersStepCompletesExactlyOnce()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config(), data.Path);
        var (run, folder) = await StartStepAsync(gateway, "batch");

        using var answer = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "Once upon a time", max_tokens = 4 }, ("X-Request-Id", "high-1"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var detail = await WaitEndedAsync(gateway, run);
        Assert.Equal("succeeded", detail.GetProperty("state").GetString());
        var work = detail.GetProperty("steps").EnumerateArray().Single();
        Assert.Equal((2, 0), (work.GetProperty("attempts").GetInt32(), work.GetProperty("retries_used").GetInt32()));
        var attempts = detail.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(["preempted", "succeeded"], attempts.Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal("preempted for serving: model 'one' needs 64.0 MiB for high requests", attempts[0].GetProperty("reason").GetString());
        Assert.Equal(["term"], await File.ReadAllLinesAsync(Path.Combine(folder, "terms"), Ct)); // stopped gracefully, once
        Assert.Equal(["done"], await File.ReadAllLinesAsync(Path.Combine(folder, "finished"), Ct)); // and completed exactly once
        var trace = await gateway.GetJsonAsync("/api/requests/high-1");
        Assert.Contains("held by pipeline steps; asked the job scheduler to stop preemptible steps less urgent than high", trace.ToString(), StringComparison.Ordinal);
        var node = Assert.Single((await gateway.GetJsonAsync("/api/nodes")).GetProperty("nodes").EnumerateArray());
        Assert.Empty(node.GetProperty("serving_claims").EnumerateArray());
    }

    [Fact]
    public async Task HighRequest_NormalStepHoldsTheMemory_StepKeepsRunningAndTheRequestIsRefusedNamingTheSteps()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config(loadWait: "2s"), data.Path);
        var (run, folder) = await StartStepAsync(gateway, "normal"); // not preemptible by default

        using var answer = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "Once upon a time", max_tokens = 4 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        var message = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("cpu: needs 32.0 MiB more, held by pipeline steps", message, StringComparison.Ordinal);
        var detail = await gateway.GetJsonAsync($"/api/runs/{run}");
        Assert.Equal("running", detail.GetProperty("steps").EnumerateArray().Single().GetProperty("state").GetString());
        Assert.Single(detail.GetProperty("attempts").EnumerateArray());
        Assert.False(File.Exists(Path.Combine(folder, "terms")));
        var node = Assert.Single((await gateway.GetJsonAsync("/api/nodes")).GetProperty("nodes").EnumerateArray());
        Assert.Empty(node.GetProperty("serving_claims").EnumerateArray()); // dropped once nothing waits for it
        using var cancel = await gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{run}/cancel");
    }

    /// <summary>Submits the pipeline and waits until its step runs; returns the run's id and working directory.</summary>
    private static async Task<(string Run, string Folder)> StartStepAsync(GatewayHarness gateway, string priority)
    {
        using var submitted = await gateway.PostAsync("/api/runs", new { yaml = Pipeline(priority), file = "crunch.yaml" });
        var body = await submitted.Content.ReadAsStringAsync(Ct);
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, body);
        var run = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var folder = (await gateway.GetJsonAsync($"/api/runs/{run}")).GetProperty("working_directory").GetString()!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(folder, "started")))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the step did not start within 30 s");
            await Task.Delay(20, Ct);
        }

        return (run, folder);
    }

    private static async Task<JsonElement> WaitEndedAsync(GatewayHarness gateway, string run)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var detail = await gateway.GetJsonAsync($"/api/runs/{run}");
            if (detail.GetProperty("state").GetString() != "running")
            {
                return detail;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run did not end within 60 s: {detail}");
            await Task.Delay(50, Ct);
        }
    }
}
