using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary><c>GET /api/nodes</c>: the ledger's node with capacity and free resources, and each allocation with its owner (a step of a run, a model replica).</summary>
public sealed class NodesApiTests
{
    private const string Config = """
        server: { port: 0 }
        devices: { cpu: { memory: 2GiB, cores: 4 } }
        models:
          - name: tiny
            path: stories260K.gguf
            context: 64
            replicas: { min: 0, max: 1 }
        """;

    private const string Pipeline = """
        name: hold
        steps:
          - id: wait
            run: sleep 60
            resources: { cpu: 1500m, memory: 64MiB }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_RunningStepAndLoadedReplica_ListedWithOwners()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var submitted = await gateway.PostAsync("/api/runs", new { yaml = Pipeline, file = "hold.yaml" });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var run = (await submitted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        using (var load = await gateway.SendEmptyAsync(HttpMethod.Post, "/api/models/tiny/load"))
        {
            Assert.Equal(HttpStatusCode.Accepted, load.StatusCode);
        }

        var node = await WaitForNodeAsync(gateway, n => Allocations(n).Any(a => a.GetProperty("kind").GetString() == "step")
            && Allocations(n).Any(a => a.GetProperty("kind").GetString() == "replica" && a.GetProperty("state").GetString() == "ready"), "the step and the replica");

        Assert.Equal("local", node.GetProperty("name").GetString());
        Assert.Equal(4000, node.GetProperty("capacity").GetProperty("cpu_millis").GetInt64());
        Assert.Equal(2500, node.GetProperty("free").GetProperty("cpu_millis").GetInt64());
        var step = Allocations(node).Single(a => a.GetProperty("kind").GetString() == "step");
        Assert.Equal($"{run}/wait", step.GetProperty("owner").GetString());
        Assert.Equal(run, step.GetProperty("run").GetString());
        Assert.Equal("wait", step.GetProperty("step").GetString());
        Assert.Equal(1500, step.GetProperty("cpu_millis").GetInt64());
        Assert.Equal(64L << 20, step.GetProperty("memory_bytes").GetInt64());
        var replica = Allocations(node).Single(a => a.GetProperty("kind").GetString() == "replica");
        Assert.Equal("tiny", replica.GetProperty("model").GetString());
        Assert.Equal(0, replica.GetProperty("replica").GetInt32());
        Assert.Equal("cpu", replica.GetProperty("device").GetString());
        Assert.True(replica.GetProperty("memory_bytes").GetInt64() > 0);

        using (var cancel = await gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{run}/cancel"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        node = await WaitForNodeAsync(gateway, n => !Allocations(n).Any(a => a.GetProperty("kind").GetString() == "step"), "the cancelled step's allocation going");
        Assert.Equal(4000, node.GetProperty("free").GetProperty("cpu_millis").GetInt64());
    }

    [Fact]
    public async Task Get_NoKey_Unauthorized()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config, data.Path);
        using var anonymous = gateway.Client(null);
        using var wrong = gateway.Client("wrong");

        using var none = await anonymous.GetAsync("/api/nodes", Ct);
        using var bad = await wrong.GetAsync("/api/nodes", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
    }

    private static JsonElement.ArrayEnumerator Allocations(JsonElement node) => node.GetProperty("allocations").EnumerateArray();

    private static async Task<JsonElement> WaitForNodeAsync(GatewayHarness gateway, Func<JsonElement, bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var node = Assert.Single((await gateway.GetJsonAsync("/api/nodes")).GetProperty("nodes").EnumerateArray());
            if (condition(node))
            {
                return node;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{what} did not show within 30 s: {node}");
            await Task.Delay(50, Ct);
        }
    }
}
