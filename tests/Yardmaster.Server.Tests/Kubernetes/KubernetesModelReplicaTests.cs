using k8s.Models;
using OpenAI.Chat;
using Yardmaster.Server.Tests.Gateway;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Server.Tests.Kubernetes;

/// <summary>
/// A model with <c>backend: kubernetes</c> against the stand-in API server (not a cluster): the replica is a Job whose
/// pod, run here by the stand-in's kubelet as a real process, is <c>yard model-server</c>; the gateway reaches it at the
/// pod's IP and serves <c>/v1</c> through it; unloading the model deletes the Job; a Job deleted from outside is
/// replaced.
/// </summary>
public sealed class KubernetesModelReplicaTests : IAsyncLifetime
{
    private const string AdminKey = "kube-admin-key-0123";
    private const string UserKey = "kube-user-key-0123";
    private const string Image = "ghcr.io/example/yard:1.0";

    private readonly TempDirectory _data = new();
    private readonly string _model = "kube-" + Guid.NewGuid().ToString("N")[..6];
    private KubeApiStandIn? _api;
    private GatewayHarness? _gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubeApiStandIn Api => _api!;

    private GatewayHarness Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        var allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") };
        _api.Cluster.Nodes.Add(new V1Node { Metadata = new V1ObjectMeta { Name = "kn1" }, Spec = new V1NodeSpec(), Status = new V1NodeStatus { Allocatable = allocatable, Capacity = allocatable } });
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task ChatCompletion_KubernetesReplica_ServedAtThePodIpAndItsJobDeletedOnUnload()
    {
        await StartGatewayAsync(min: 0);
        using (var load = await Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/models/{_model}/load"))
        {
            Assert.True(load.IsSuccessStatusCode, await load.Content.ReadAsStringAsync(Ct));
        }

        await WaitAsync(async () => await Gateway.ReplicaStatesAsync(_model) is ["ready"], "the replica ready", TimeSpan.FromSeconds(90));
        var job = Assert.Single(Api.Cluster.Jobs("yard", null, null));
        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        var pod = Assert.Single(Api.Cluster.Pods("yard", null));
        Assert.Equal(Image, container.Image);
        Assert.Equal(["dotnet", YardProcess.YardDll, "model-server"], container.Command.Take(3));
        Assert.Null(container.Args);
        Assert.Equal((1m, 1073741824m), (container.Resources.Limits["cpu"].ToDecimal(), container.Resources.Limits["memory"].ToDecimal()));
        Assert.Equal("kn1", Assert.Single(Assert.Single(job.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms).MatchFields).Values.Single());
        Assert.Equal(("Running", "127.0.0.1"), (pod.Status.Phase, pod.Status.PodIP));

        var chat = Gateway.OpenAi(UserKey).GetChatClient(_model);
        ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time")], new ChatCompletionOptions { MaxOutputTokenCount = 3 }, Ct);

        Assert.Equal(3, answer.Usage.OutputTokenCount);
        Assert.False(string.IsNullOrEmpty(answer.Content[0].Text));
        var replica = Assert.Single((await Gateway.GetJsonAsync($"/api/models/{_model}")).GetProperty("status").GetProperty("replicas").EnumerateArray());
        Assert.Equal(1, replica.GetProperty("uses").GetInt32());
        var port = int.Parse(container.Command[container.Command.IndexOf("--port") + 1], System.Globalization.CultureInfo.InvariantCulture);
        using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using (var health = await direct.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), Ct))
        {
            Assert.True(health.IsSuccessStatusCode);
        }

        using (var unload = await Gateway.SendEmptyAsync(HttpMethod.Post, $"/api/models/{_model}/unload"))
        {
            Assert.True(unload.IsSuccessStatusCode, await unload.Content.ReadAsStringAsync(Ct));
        }

        await WaitAsync(() => Task.FromResult(Api.Cluster.Jobs("yard", null, null).Count == 0 && Api.Cluster.Pods("yard", null).Count == 0), "the replica's Job and pod deleted", TimeSpan.FromSeconds(30));
        Assert.Contains(Api.Cluster.Deletes, d => d.Kind == "job" && d.Name == job.Metadata.Name && d.Grace == 1 && d.Propagation == "Foreground");
        Assert.All(await Gateway.ReplicaStatesAsync(_model), state => Assert.Equal("unloaded", state));
        await Assert.ThrowsAsync<HttpRequestException>(() => direct.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), Ct));
    }

    [Fact]
    public async Task ReplicaJob_DeletedFromOutside_ReplacedByANewJobThatServes()
    {
        await StartGatewayAsync(min: 1);
        await WaitAsync(async () => await Gateway.ReplicaStatesAsync(_model) is ["ready"], "the replica ready", TimeSpan.FromSeconds(90));
        var first = Assert.Single(Api.Cluster.Jobs("yard", null, null)).Metadata.Name;

        Assert.True(Api.Cluster.DeleteJob("yard", first, 0, "Background"));

        await WaitAsync(
            async () => Api.Cluster.Jobs("yard", null, null) is [var job] && job.Metadata.Name != first && await Gateway.ReplicaStatesAsync(_model) is ["ready"],
            "a new Job for the replica, ready",
            TimeSpan.FromSeconds(90));
        ChatCompletion answer = await Gateway.OpenAi(UserKey).GetChatClient(_model).CompleteChatAsync([new UserChatMessage("Once")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }, Ct);
        Assert.Equal(2, answer.Usage.OutputTokenCount);
    }

    /// <summary>The gateway, with the model's <c>replicas.min</c> as given.</summary>
    private async Task StartGatewayAsync(int min)
    {
        var kubeconfig = Api.WriteKubeconfig(_data.Path);

        // The image is what a cluster would run; the stand-in runs the command here, so it names this build's yard.dll.
        _gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0 }
            auth: { admin_keys: [{{AdminKey}}], api_keys: [{{UserKey}}] }
            jobs:
              stop_grace: 1s
              docker: { enabled: false }
              kubernetes: { namespace: yard, kubeconfig: "{{kubeconfig}}" }
            models:
              - name: {{_model}}
                backend: kubernetes
                image: {{Image}}
                command: "dotnet {{YardProcess.YardDll}} model-server --model {path} --host 0.0.0.0 --port {port} --slots {slots} --ctx {context} --threads {threads}"
                path: stories260K.gguf
                slots: 2
                context: 256
                threads: 1
                memory: 1GiB
                replicas: { min: {{min}}, max: 1 }
                ready_timeout: 90s
                stop_grace: 1s
            """, _data.Path, AdminKey);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> and what the stand-in saw after <paramref name="timeout"/>.</summary>
    private async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"{what} did not happen within {timeout.TotalSeconds} s; the stand-in saw:\n{string.Join("\n", Api.Requests.TakeLast(30))}");
            await Task.Delay(100, Ct);
        }
    }
}
