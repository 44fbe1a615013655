using System.Net;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>A model with <c>backend: slurm</c> and two replicas: <c>yard model-server</c> as a long-running job on each node of the real cluster, served through the gateway.</summary>
public sealed class SlurmModelReplicaTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly string _model = "spread-" + Guid.NewGuid().ToString("N")[..6];
    private SlurmTestCluster? _cluster;
    private GatewayHarness? _gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SlurmTestCluster Cluster => _cluster!;

    private GatewayHarness Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await SlurmTestCluster.OpenAsync(CancellationToken.None);
        _gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0 }
            models:
              - name: {{_model}}
                backend: slurm
                command: "yard model-server --model {path} --host 0.0.0.0 --port {port} --slots {slots} --ctx {context} --threads {threads}"
                path: stories260K.gguf
                slots: 2
                context: 256
                threads: 1
                memory: 1GiB
                replicas: { min: 2, max: 2 }
                ready_timeout: 90s
                stop_grace: 1s
            """ + "\n" + SlurmRuns.JobsYaml(_cluster), _data.Path);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task ReplicasMinTwo_OneJobOnEachNode_BothAnswerAndAnOutsideScancelIsReplaced()
    {
        var jobs = await WaitForReplicasAsync(null);
        Assert.Equal(Cluster.Nodes.Order(), jobs.Values.Order());
        await AssertOneReplicaReservedOnEachNodeAsync();

        var uses = await AskUntilBothServeAsync();
        Assert.All(uses, u => Assert.True(u > 0, $"a replica served no request: uses {string.Join(", ", uses)}"));

        var (killed, node) = jobs.First();
        var (code, _, error) = await Cluster.RunAsync("scancel", [killed], Ct);
        Assert.True(code == 0, error);
        var after = await WaitForReplicasAsync(killed);

        Assert.Equal(Cluster.Nodes.Order(), after.Values.Order());
        Assert.Contains(node, after.Values);
        Assert.DoesNotContain(killed, after.Keys);
        await AssertOneReplicaReservedOnEachNodeAsync();
        using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = _model, messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Each Slurm node holds one replica's job in the ledger: 1 CPU (threads: 1) and 1 GiB, so a step is not placed behind it.</summary>
    private async Task AssertOneReplicaReservedOnEachNodeAsync()
    {
        var nodes = (await Gateway.GetJsonAsync("/api/nodes")).GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("engine").GetString() == "slurm").ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n =>
        {
            var held = Assert.Single(n.GetProperty("allocations").EnumerateArray());
            Assert.Equal(("replica", _model, 1000L, 1L << 30), (held.GetProperty("kind").GetString(), held.GetProperty("model").GetString(), held.GetProperty("cpu_millis").GetInt64(), held.GetProperty("memory_bytes").GetInt64()));
            Assert.Equal(1000, n.GetProperty("free").GetProperty("cpu_millis").GetInt64());
        });
    }

    /// <summary>Sends requests, four at a time, until both replicas report uses; their uses.</summary>
    private async Task<List<int>> AskUntilBothServeAsync()
    {
        for (var round = 0; round < 20; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                using var response = await Gateway.PostAsync("/v1/chat/completions", new { model = _model, messages = new[] { new { role = "user", content = "Tell a story" } }, max_tokens = 24 });
                return response.StatusCode;
            }));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
            var uses = (await Replicas()).Select(r => r.GetProperty("uses").GetInt32()).ToList();
            if (uses.Count == 2 && uses.All(u => u > 0))
            {
                return uses;
            }
        }

        return [.. (await Replicas()).Select(r => r.GetProperty("uses").GetInt32())];
    }

    private async Task<List<JsonElement>> Replicas() =>
        [.. (await Gateway.GetJsonAsync($"/api/models/{_model}")).GetProperty("status").GetProperty("replicas").EnumerateArray()];

    /// <summary>Waits until the model has two ready replicas and Slurm runs two of its jobs (none of them <paramref name="gone"/>); job id to node.</summary>
    private async Task<Dictionary<string, string>> WaitForReplicasAsync(string? gone)
    {
        Dictionary<string, string> jobs = [];
        await SlurmRuns.PollAsync(
            async () =>
            {
                var (_, output, _) = await Cluster.RunAsync("squeue", ["--noheader", "--states=RUNNING", "--format=%i %j %N"], Ct);
                jobs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Trim().Split(' '))
                    .Where(f => f.Length == 3 && f[1].StartsWith($"yard-model.{_model}.", StringComparison.Ordinal))
                    .ToDictionary(f => f[0], f => f[2]);
                return new ReplicaView(jobs, await Gateway.ReplicaStatesAsync(_model));
            },
            s => s.Jobs.Count == 2 && !s.Jobs.ContainsKey(gone ?? "-") && s.States.Count == 2 && s.States.All(state => state == "ready"),
            "two ready replicas running as slurm jobs",
            TimeSpan.FromSeconds(120));
        return jobs;
    }

    /// <summary>The model's jobs in squeue (id to node) and its replicas' states in the gateway, printed when the wait fails.</summary>
    private sealed record ReplicaView(Dictionary<string, string> Jobs, List<string> States)
    {
        public override string ToString() =>
            $"jobs: [{string.Join(", ", Jobs.Select(j => $"{j.Key} on {j.Value}"))}], replica states: [{string.Join(", ", States)}]";
    }
}
