using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Adapt;

/// <summary>
/// <c>scheduler.adapt</c> live: a workload whose best batch aging bound differs from the one configured. Bursts of batch
/// requests fill one slot; with a 1 s aging bound, aged batch requests go before newer chat ones and chat misses its
/// 600 ms SLO. The server re-tunes itself on its own request log, moves the bound, and the chat attainment it measures
/// improves; <c>yard tune --history</c> finds the same change from the store, and <c>--apply</c> puts it in force.
/// </summary>
public sealed class SchedulerAdaptTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(Uri upstream, string adapt) => $$"""
        server: { port: 0 }
        scheduler:
          max_wait: { default: 30s, low: 2m, batch: 1s }
        {{adapt}}
        models:
          - name: paced
            backend: http
            url: {{upstream}}
            slots: 1
            simulation: { prefill_tokens_per_second: 1000000, decode_tokens_per_second: 100 }
        tasks:
          - { name: chat, priority: high, slo: { latency: 600ms }, models: [paced] }
          - { name: bulk, priority: batch, slo: { latency: 60s }, models: [paced] }
        """;

    private const string Adapt = """
          adapt:
            every: 4s
            window: 16s
            min_requests: 30
            seeds: 1
            budget: 20s
            bounds: { max_wait: { batch: { min: 1s, max: 10m } } }
        """;

    [Fact]
    public async Task Adapt_BatchAgingTooShort_ServerMovesItAndMeasuredAttainmentImproves()
    {
        await using var upstream = await PacedUpstream.StartAsync();
        using var data = new TempDirectory();
        await AdaptsAsync(upstream, data.Path);

        // The same change from the store by hand: yard tune --history reads the log the server wrote, and --apply puts the
        // change in force on a server started again on the same data folder, without adapt (so the change is --apply's).
        var file = Path.Combine(data.Path, "bad.yaml");
        await File.WriteAllTextAsync(file, Config(upstream.Url, ""), Ct);
        await using var again = await GatewayHarness.StartAsync(Config(upstream.Url, ""), data.Path);
        var (code, stdout, stderr) = await YardProcess.RunAsync(
            ["tune", "--history", "1h", "--data", data.Path, "--config", file, "--objective", "slo", "--seeds", "1", "--budget", "60s", "--apply", "--server", again.Url.ToString()]);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("-  max_wait: { default: 30s, low: 2m, batch: 1s }", stdout, StringComparison.Ordinal);
        Assert.Contains("--apply: scheduler settings in force on", stdout, StringComparison.Ordinal);
        var applied = (await again.GetJsonAsync("/api/scheduler")).GetProperty("max_wait").GetProperty("batch").GetString();
        Assert.NotEqual("1s", applied);
        var entries = (await again.GetJsonAsync("/api/adaptations")).GetProperty("adaptations");
        Assert.Equal(1, entries.GetArrayLength());
        Assert.Equal("api", entries[0].GetProperty("source").GetString());
        Assert.Equal($"max_wait.batch 1s -> {applied}", entries[0].GetProperty("change").GetString());
    }

    /// <summary>The first server, with adapt on, under the workload until its first change is judged.</summary>
    private static async Task AdaptsAsync(PacedUpstream upstream, string data)
    {
        await using var gateway = await GatewayHarness.StartAsync(Config(upstream.Url, Adapt), data);
        using var load = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var workload = RunWorkloadAsync(gateway, load.Token);

        // The first change: found by simulating the log of the 1 s bound, then judged on the window after it.
        var judged = await WaitForAdaptationAsync(gateway, a => a.GetProperty("status").GetString() is "kept" or "reverted", TimeSpan.FromSeconds(90));
        await load.CancelAsync();
        await workload;

        TestContext.Current.TestOutputHelper?.WriteLine(judged.ToString());
        Assert.Equal("adapt", judged.GetProperty("source").GetString());
        Assert.Equal("1s", judged.GetProperty("from").GetProperty("max_wait").GetProperty("batch").GetString());
        var moved = judged.GetProperty("to").GetProperty("max_wait").GetProperty("batch").GetString();
        Assert.NotEqual("1s", moved);
        Assert.StartsWith("max_wait.batch 1s -> ", judged.GetProperty("change").GetString(), StringComparison.Ordinal);
        var predicted = judged.GetProperty("predicted");
        Assert.True(predicted.GetProperty("best").GetDouble() > predicted.GetProperty("now").GetDouble(), predicted.ToString());
        Assert.True(predicted.GetProperty("tasks").GetProperty("chat").GetProperty("predicted").GetDouble() > predicted.GetProperty("tasks").GetProperty("chat").GetProperty("now").GetDouble());

        // Measured, not predicted: the chat requests before the change missed; after it they met their SLO.
        var before = judged.GetProperty("before");
        var after = judged.GetProperty("after");
        var chatBefore = before.GetProperty("attainment").GetProperty("chat").GetDouble();
        var chatAfter = after.GetProperty("attainment").GetProperty("chat").GetDouble();
        Assert.True(chatAfter > chatBefore, $"chat attainment {chatBefore:P1} before the change, {chatAfter:P1} after");
        Assert.True(after.GetProperty("score").GetDouble() > before.GetProperty("score").GetDouble(), judged.ToString());
        Assert.Equal("kept", judged.GetProperty("status").GetString());
        var scheduler = await gateway.GetJsonAsync("/api/scheduler");
        Assert.Equal(moved, scheduler.GetProperty("max_wait").GetProperty("batch").GetString());
    }

    /// <summary>Every 4 s a burst of 12 batch requests of 200 ms; a chat request of 100 ms every 500 ms: 80% of the one slot.</summary>
    private static async Task RunWorkloadAsync(GatewayHarness gateway, CancellationToken stop)
    {
        var sent = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            if (tick % 8 == 0)
            {
                sent.AddRange(Enumerable.Range(0, 12).Select(_ => SendAsync(gateway, "bulk", 20)));
            }

            sent.Add(SendAsync(gateway, "chat", 10));
            var next = TimeSpan.FromMilliseconds(500 * (tick + 1)) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(next, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(sent);
    }

    private static async Task SendAsync(GatewayHarness gateway, string task, int tokens)
    {
        using var response = await gateway.Http.PostAsJsonAsync("/v1/completions", new { model = task, prompt = "Once upon a time", max_tokens = tokens }, Ct);
        await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task<JsonElement> WaitForAdaptationAsync(GatewayHarness gateway, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last = default;
        while (clock.Elapsed < timeout)
        {
            last = await gateway.GetJsonAsync("/api/adaptations");
            foreach (var entry in last.GetProperty("adaptations").EnumerateArray())
            {
                if (condition(entry))
                {
                    return entry;
                }
            }

            await Task.Delay(500, Ct);
        }

        Assert.Fail($"no adaptation as awaited within {timeout}: {last}");
        return default;
    }
}
