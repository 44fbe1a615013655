using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Cli;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>
/// A real <c>yard serve</c> child process with a <c>backend: slurm</c> model (<c>replicas: { min: 2 }</c>, one job on each
/// node of the real cluster), killed with SIGKILL and started again on the same data folder: the jobs it left running are
/// taken over, not started again.
/// </summary>
public sealed class SlurmModelReplicaRestartTests : IAsyncLifetime
{
    private const string AdminKey = "slurm-replica-restart-admin-key";

    private readonly TempDirectory _home = new();
    private readonly string _model = "adopt-" + Guid.NewGuid().ToString("N")[..6];
    private SlurmTestCluster? _cluster;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SlurmTestCluster Cluster => _cluster!;

    public async ValueTask InitializeAsync() => _cluster = await SlurmTestCluster.OpenAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            // A test that failed half-way leaves its model's jobs behind; they must not hold the nodes for the next.
            var (_, output, _) = await _cluster.RunAsync("squeue", ["--noheader", "--format=%i %j"], CancellationToken.None);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')).Where(f => f.Length == 2 && f[1].StartsWith($"yard-model.{_model}.", StringComparison.Ordinal)))
            {
                await _cluster.RunAsync("scancel", [line[0]], CancellationToken.None);
            }

            await _cluster.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task Serve_KilledWithTwoReplicaJobsThenRestarted_SameJobsServeAndNoneIsStarted()
    {
        var config = await WriteConfigAsync(Served());
        var before = await StartThenKillAsync(config);

        await using var second = Start(config);
        using var http = Client(await second.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
        var after = await WaitForReplicasAsync(http, gone: null);

        Assert.Equal(before.OrderBy(j => j.Key), after.OrderBy(j => j.Key));
        var uses = await AskUntilBothServeAsync(http);
        Assert.All(uses, u => Assert.True(u > 0, $"an adopted replica served no request: uses {string.Join(", ", uses)}"));
        // squeue --states=all also lists the jobs that ended lately: a third job started and cancelled would show.
        Assert.Equal(before.Keys.Order(), (await ModelJobsAsync("all")).Keys.Order());

        // /api/models names each replica's node and job
        var replicas = await ReplicasAsync(http);
        Assert.Equal(
            before.Select(j => (j.Value, $"slurm job {j.Key} on {j.Value}")).Order(),
            replicas.Select(r => (r.GetProperty("node").GetString()!, r.GetProperty("locator").GetString()!)).Order());

        // /api/nodes lists each replica under its Slurm node with its reservation, none under local
        var nodes = (await SlurmRuns.GetJsonAsync(http, "/api/nodes")).GetProperty("nodes").EnumerateArray().ToList();
        foreach (var (job, node) in before)
        {
            var held = Assert.Single(nodes.Single(n => n.GetProperty("name").GetString() == node).GetProperty("allocations").EnumerateArray());
            Assert.Equal(
                ("replica", _model, 1000L, 1L << 30, "ready", $"slurm job {job} on {node}"),
                (held.GetProperty("kind").GetString(), held.GetProperty("model").GetString(), held.GetProperty("cpu_millis").GetInt64(), held.GetProperty("memory_bytes").GetInt64(), held.GetProperty("state").GetString(), held.GetProperty("locator").GetString()));
        }

        var local = nodes.Single(n => n.GetProperty("engine").GetString() == "local");
        Assert.DoesNotContain(local.GetProperty("allocations").EnumerateArray(), a => a.GetProperty("owner").GetString()!.StartsWith(_model, StringComparison.Ordinal));
        Assert.Equal(0, local.GetProperty("model_memory_bytes").GetInt64());
    }

    [Fact]
    public async Task Serve_RestartedThenAnAdoptedJobScancelled_ReplacedByANewJobOnItsNode()
    {
        var config = await WriteConfigAsync(Served());
        var before = await StartThenKillAsync(config);

        await using var second = Start(config);
        using var http = Client(await second.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
        Assert.Equal(before.OrderBy(j => j.Key), (await WaitForReplicasAsync(http, gone: null)).OrderBy(j => j.Key));
        var (killed, node) = before.First();
        var (code, _, error) = await Cluster.RunAsync("scancel", [killed], Ct);
        Assert.True(code == 0, error);
        var after = await WaitForReplicasAsync(http, gone: killed);

        Assert.Equal(Cluster.Nodes.Order(), after.Values.Order());
        var replacement = Assert.Single(after, j => !before.ContainsKey(j.Key));
        Assert.Equal(node, replacement.Value);
        using var response = await PostChatAsync(http, "Once", 3);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Serve_RestartedWithoutTheModel_CancelsTheJobsItLeft()
    {
        var config = await WriteConfigAsync(Served());
        var before = await StartThenKillAsync(config);
        await WriteConfigAsync(model: null);

        await using var second = Start(config);
        await second.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));

        // the start returns once the jobs were told to stop; they end within the 10 s grace
        var left = await SlurmRuns.PollAsync(() => ModelJobsAsync("PD,R,CG,CF,S"), jobs => jobs.Count == 0, "the removed model's jobs ending", TimeSpan.FromSeconds(30));
        Assert.Empty(left);
        foreach (var job in before.Keys)
        {
            Assert.Contains(await SlurmRuns.JobStateAsync(Cluster, job), new[] { "CANCELLED", "FAILED", "COMPLETED" });
        }

        Assert.Empty(Directory.EnumerateFiles(_home.File("data"), "replica.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Serve_RestartedWithAJobThatNeverAnswers_CancelsItAfterReadyTimeoutAndStartsAnother()
    {
        var config = await WriteConfigAsync(Silent("5m"));
        string silent;
        await using (var first = Start(config))
        {
            await first.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
            silent = (await SlurmRuns.PollAsync(() => ModelJobsAsync("RUNNING"), jobs => jobs.Count == 1, "the silent job running", TimeSpan.FromSeconds(60))).Keys.Single();
        }

        Assert.True(await SlurmRuns.IsQueuedAsync(Cluster, silent), $"slurm job {silent} ended with the server");
        await WriteConfigAsync(Silent("3s"));
        await using var second = Start(config);
        using var http = Client(await second.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));

        await SlurmRuns.PollAsync(() => SlurmRuns.JobStateAsync(Cluster, silent), state => state is "CANCELLED" or "FAILED", $"slurm job {silent} cancelled", TimeSpan.FromSeconds(30));
        var model = await SlurmRuns.PollAsync(
            () => SlurmRuns.GetJsonAsync(http, $"/api/models/{_model}"),
            m => m.GetProperty("status").GetProperty("failures").GetInt32() > 0,
            "the take-over failing",
            TimeSpan.FromSeconds(30));
        Assert.Contains($"slurm job {silent}", model.GetProperty("status").GetProperty("last_failure").GetString(), StringComparison.Ordinal);
        Assert.Contains("ready_timeout", model.GetProperty("status").GetProperty("last_failure").GetString(), StringComparison.Ordinal);
        await SlurmRuns.PollAsync(() => ModelJobsAsync("PD,R,CG,CF,S"), jobs => jobs.Keys.Any(j => j != silent), "a new job started in its place", TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts <c>yard serve</c>, waits until both replicas' jobs serve, kills it with SIGKILL; the jobs (id to node), still running.</summary>
    private async Task<Dictionary<string, string>> StartThenKillAsync(string config)
    {
        Dictionary<string, string> jobs;
        await using (var first = Start(config))
        {
            using var http = Client(await first.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
            jobs = await WaitForReplicasAsync(http, gone: null);
            Assert.Equal(Cluster.Nodes.Order(), jobs.Values.Order());
        }

        // disposing killed the server with SIGKILL; its jobs live on under slurmd
        foreach (var job in jobs.Keys)
        {
            Assert.True(await SlurmRuns.IsQueuedAsync(Cluster, job), $"slurm job {job} ended with the server");
        }

        return jobs;
    }

    /// <summary>Writes yard.yaml: the Slurm jobs section and, when given, one model's definition (its fields, as YAML lines).</summary>
    private async Task<string> WriteConfigAsync(string? model)
    {
        var config = _home.File("yard.yaml");
        var models = model is null ? string.Empty : $"models:\n  - name: {_model}\n" + string.Join('\n', model.Split('\n').Select(line => "    " + line.Trim()));
        await File.WriteAllTextAsync(config, $"auth: {{ admin_keys: [{AdminKey}] }}\n{models}\n{SlurmRuns.JobsYaml(Cluster)}", Ct);
        return config;
    }

    /// <summary><c>yard model-server</c> with two replicas, one on each node.</summary>
    private static string Served() => $$"""
        backend: slurm
        command: "yard model-server --model {path} --host 0.0.0.0 --port {port} --slots {slots} --ctx {context} --threads {threads}"
        path: {{SharedModels.Stories260K}}
        slots: 2
        context: 256
        threads: 1
        memory: 1GiB
        replicas: { min: 2, max: 2 }
        ready_timeout: 90s
        stop_grace: 1s
        """;

    /// <summary>A job that runs for hours and never listens on its port (sleep sums its arguments).</summary>
    private static string Silent(string readyTimeout) => $$"""
        backend: slurm
        command: "sleep 600 {port}"
        threads: 1
        replicas: { min: 1, max: 1 }
        ready_timeout: {{readyTimeout}}
        stop_grace: 1s
        """;

    /// <summary>Sends requests, four at a time, until both replicas report uses; their uses.</summary>
    private async Task<List<int>> AskUntilBothServeAsync(HttpClient http)
    {
        for (var round = 0; round < 20; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                using var response = await PostChatAsync(http, "Tell a story", 24);
                return response.StatusCode;
            }));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
            var uses = (await ReplicasAsync(http)).Select(r => r.GetProperty("uses").GetInt32()).ToList();
            if (uses.Count == 2 && uses.All(u => u > 0))
            {
                return uses;
            }
        }

        return [.. (await ReplicasAsync(http)).Select(r => r.GetProperty("uses").GetInt32())];
    }

    private Task<HttpResponseMessage> PostChatAsync(HttpClient http, string content, int maxTokens) =>
        http.PostAsJsonAsync("/v1/chat/completions", new { model = _model, messages = new[] { new { role = "user", content } }, max_tokens = maxTokens }, Ct);

    private async Task<List<JsonElement>> ReplicasAsync(HttpClient http) =>
        [.. (await SlurmRuns.GetJsonAsync(http, $"/api/models/{_model}")).GetProperty("status").GetProperty("replicas").EnumerateArray()];

    /// <summary>The model's jobs squeue lists in <paramref name="states"/>: job id to node.</summary>
    private async Task<Dictionary<string, string>> ModelJobsAsync(string states)
    {
        var (_, output, _) = await Cluster.RunAsync("squeue", ["--noheader", "--states=" + states, "--format=%i %j %N"], Ct);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(' '))
            .Where(f => f.Length >= 2 && f[1].StartsWith($"yard-model.{_model}.", StringComparison.Ordinal))
            .ToDictionary(f => f[0], f => f.Length > 2 ? f[2] : string.Empty);
    }

    /// <summary>Waits until the model has two ready replicas and Slurm runs two of its jobs (none of them <paramref name="gone"/>); job id to node.</summary>
    private async Task<Dictionary<string, string>> WaitForReplicasAsync(HttpClient http, string? gone)
    {
        var view = await SlurmRuns.PollAsync(
            async () => new ReplicaView(await ModelJobsAsync("RUNNING"), [.. (await ReplicasAsync(http)).Select(r => r.GetProperty("state").GetString()!)]),
            s => s.Jobs.Count == 2 && !s.Jobs.ContainsKey(gone ?? "-") && s.States.Count == 2 && s.States.All(state => state == "ready"),
            "two ready replicas running as slurm jobs",
            TimeSpan.FromSeconds(120));
        return view.Jobs;
    }

    private YardProcess Start(string config) =>
        YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", _home.File("data")], YardServeFixture.Environment(_home.Path));

    private static HttpClient Client(string url) => SlurmRuns.AdminClient(url, AdminKey);

    /// <summary>The model's jobs in squeue (id to node) and its replicas' states in the gateway, printed when the wait fails.</summary>
    private sealed record ReplicaView(Dictionary<string, string> Jobs, List<string> States)
    {
        public override string ToString() =>
            $"jobs: [{string.Join(", ", Jobs.Select(j => $"{j.Key} on {j.Value}"))}], replica states: [{string.Join(", ", States)}]";
    }
}
