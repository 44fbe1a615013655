using System.Net;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Under saturation the queue serves the higher priority class first, and the lower one still completes.</summary>
public sealed class GatewayPriorityTests
{
    private const int PerTask = 12;

    private const string Config = """
        server: { port: 0 }
        models:
          - name: one-slot
            path: stories260K.gguf
            slots: 1
            context: 128
            replicas: { min: 0, max: 1 }
        tasks:
          - { name: urgent, priority: high, models: [one-slot] }
          - { name: background, priority: low, models: [one-slot] }
        """;

    [Fact]
    public async Task Saturated_HighAndLowAtOnce_HighQueuesLessAndLowCompletes()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using (var warm = await gateway.PostAsync("/v1/completions", new { model = "one-slot", prompt = "Once", max_tokens = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Low first, so any head start goes to the low task; then high while the low ones still queue.
        var low = Enumerable.Range(0, PerTask).Select(_ => SendAsync(gateway, "background")).ToList();
        var high = Enumerable.Range(0, PerTask).Select(_ => SendAsync(gateway, "urgent")).ToList();
        var statuses = await Task.WhenAll(low.Concat(high));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var stats = await gateway.AssertSettledAsync();
        var urgent = stats.GetProperty("tasks").GetProperty("urgent");
        var background = stats.GetProperty("tasks").GetProperty("background");
        Assert.Equal(PerTask, background.GetProperty("outcomes").GetProperty("completed").GetInt32());
        Assert.Equal(PerTask, urgent.GetProperty("outcomes").GetProperty("completed").GetInt32());
        var highP95 = urgent.GetProperty("queue_ms").GetProperty("p95").GetDouble();
        var lowP95 = background.GetProperty("queue_ms").GetProperty("p95").GetDouble();
        Assert.True(highP95 < lowP95, $"high p95 queue {highP95} ms, low p95 queue {lowP95} ms");
    }

    private static async Task<HttpStatusCode> SendAsync(GatewayHarness gateway, string task)
    {
        using var response = await gateway.PostAsync("/v1/completions", new { model = task, prompt = "Once upon a time", max_tokens = 24, ignore_eos = true });
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
