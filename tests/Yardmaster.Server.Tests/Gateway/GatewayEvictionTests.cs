using OpenAI.Chat;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>A CPU budget that fits two of three models (each declares 100 MiB; the budget is 250 MiB).</summary>
public sealed class GatewayEvictionTests
{
    private const string Config = """
        server: { port: 0 }
        devices:
          cpu: { memory: 250MiB }
        models:
          - { name: model-a, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
          - { name: model-b, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
          - { name: model-c, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThirdModel_OverBudget_EvictsOneOfTheFirstTwoAndEveryRequestSucceeds()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        var client = gateway.OpenAi();
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 4 };

        foreach (var model in new[] { "model-a", "model-b", "model-c" })
        {
            ChatCompletion answer = await client.GetChatClient(model).CompleteChatAsync([new UserChatMessage("Hello")], options, Ct);
            Assert.Equal(4, answer.Usage.OutputTokenCount);
        }

        var stats = await gateway.WaitForStatsAsync(s => Evictions(s, "model-a") + Evictions(s, "model-b") == 1, "one eviction");
        Assert.Equal(0, Evictions(stats, "model-c"));
        Assert.Equal(["ready"], await gateway.ReplicaStatesAsync("model-c"));
        var a = await gateway.ReplicaStatesAsync("model-a");
        var b = await gateway.ReplicaStatesAsync("model-b");
        Assert.Equal(1, (a.Contains("ready") ? 1 : 0) + (b.Contains("ready") ? 1 : 0));
        var device = stats.GetProperty("devices")[0];
        Assert.Equal(250L << 20, device.GetProperty("budget_bytes").GetInt64());
        Assert.Equal(200L << 20, device.GetProperty("used_bytes").GetInt64());

        // The evicted one comes back (evicting another) when asked for again.
        var evicted = a.Contains("ready") ? "model-b" : "model-a";
        ChatCompletion again = await client.GetChatClient(evicted).CompleteChatAsync([new UserChatMessage("Hello")], options, Ct);
        Assert.Equal(4, again.Usage.OutputTokenCount);
        stats = await gateway.WaitForStatsAsync(s => Evictions(s, "model-a") + Evictions(s, "model-b") + Evictions(s, "model-c") == 2, "a second eviction");
        Assert.Equal(2, stats.GetProperty("models").EnumerateObject().Count(m => m.Value.GetProperty("status").GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("state").GetString() == "ready")));
        Assert.All(stats.GetProperty("models").EnumerateObject(), m => Assert.Equal(1, m.Value.GetProperty("outcomes").GetProperty("completed").GetInt32() + (m.Name == evicted ? -1 : 0)));
    }

    private static int Evictions(System.Text.Json.JsonElement stats, string model) =>
        stats.GetProperty("models").TryGetProperty(model, out var m) && m.TryGetProperty("evictions", out var e) ? e.GetInt32() : 0;
}
