using System.Net;
using System.Text.Json;

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
            context: 2048
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
        // A long answer holds the one slot while both tasks' requests queue behind it.
        var blocker = await gateway.PostAsync("/v1/completions", new { model = "one-slot", prompt = "Once", max_tokens = 1900, ignore_eos = true, stream = true });
        Assert.Equal(HttpStatusCode.OK, blocker.StatusCode);

        // Low first, so any head start goes to the low task.
        var low = Enumerable.Range(0, PerTask).Select(_ => SendAsync(gateway, "background")).ToList();
        var high = Enumerable.Range(0, PerTask).Select(_ => SendAsync(gateway, "urgent")).ToList();
        var queued = await gateway.WaitForStatsAsync(s => Queued(s) + Requests(s, "urgent") + Requests(s, "background") == 2 * PerTask, "every request queueing");
        TestContext.Current.TestOutputHelper?.WriteLine($"queued behind the blocker: {Queued(queued)}");
        blocker.Dispose(); // the client leaves: its slot goes to the queue, in priority order
        var statuses = await Task.WhenAll(low.Concat(high));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var stats = await gateway.AssertSettledAsync();
        var urgent = stats.GetProperty("tasks").GetProperty("urgent");
        var background = stats.GetProperty("tasks").GetProperty("background");
        Assert.Equal(PerTask, background.GetProperty("outcomes").GetProperty("completed").GetInt32());
        Assert.Equal(PerTask, urgent.GetProperty("outcomes").GetProperty("completed").GetInt32());
        var highP95 = urgent.GetProperty("queue_ms").GetProperty("p95").GetDouble();
        var lowP95 = background.GetProperty("queue_ms").GetProperty("p95").GetDouble();
        var left = stats.GetProperty("tasks").GetProperty("one-slot");
        Assert.Equal(1, left.GetProperty("outcomes").GetProperty("cancelled").GetInt32());
        Assert.True(left.GetProperty("tokens_out").GetInt32() < 1900, "the backend stopped generating when its client left");
        TestContext.Current.TestOutputHelper?.WriteLine($"p95 queue: high {highP95} ms, low {lowP95} ms");
        Assert.True(highP95 < lowP95, $"high p95 queue {highP95} ms, low p95 queue {lowP95} ms");
    }

    private static int Queued(JsonElement stats) =>
        stats.GetProperty("models").GetProperty("one-slot").GetProperty("status").GetProperty("queued").GetInt32();

    private static int Requests(JsonElement stats, string task) =>
        stats.GetProperty("tasks").TryGetProperty(task, out var t) ? t.GetProperty("requests").GetInt32() : 0;

    private static async Task<HttpStatusCode> SendAsync(GatewayHarness gateway, string task)
    {
        using var response = await gateway.PostAsync("/v1/completions", new { model = task, prompt = "Once upon a time", max_tokens = 24, ignore_eos = true });
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
