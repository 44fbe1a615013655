using System.Net;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>Loads are single-flight: a burst of requests for a model that is not loaded loads it once.</summary>
public sealed class GatewayColdLoadTests
{
    private const string Config = """
        server: { port: 0 }
        models:
          - name: cold
            path: stories260K.gguf
            slots: 4
            context: 64
            replicas: { min: 0, max: 1 }
        """;

    [Fact]
    public async Task HundredConcurrentRequests_ColdModel_LoadOnceAndAllSucceed()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        Assert.Empty(await gateway.ReplicaStatesAsync("cold"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var response = await gateway.PostAsync("/v1/completions", new { model = "cold", prompt = "Once", max_tokens = 2 });
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }));

        Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.OK, r.Item2));
        var stats = await gateway.WaitForStatsAsync(s => s.GetProperty("models").GetProperty("cold").TryGetProperty("loads", out var l) && l.GetInt32() > 0, "the load being recorded");
        var cold = stats.GetProperty("models").GetProperty("cold");
        Assert.Equal(1, cold.GetProperty("loads").GetInt32());
        Assert.Equal(100, cold.GetProperty("outcomes").GetProperty("completed").GetInt32());
        Assert.Equal(["ready"], await gateway.ReplicaStatesAsync("cold"));
        await gateway.AssertSettledAsync();
    }
}
