using Yardmaster.Core.Execution;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// A Job's pod IP (<c>status.podIP</c>) reported by its handle (<see cref="IAddressedProcess"/>), where a model
/// replica's server is reached, against the stand-in API server (not a cluster).
/// </summary>
public sealed class KubernetesStepAddressTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddressAsync_PodRunsItsCommandHere_ReportsItsPodIp127001()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        await using var process = (await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.serve.1", "sleep 60"), Token)).Process!;

        var address = await AddressAsync(process);

        Assert.Equal("127.0.0.1", address);
        Assert.False(process.Exited.IsCompleted);
        await process.StopAsync(TimeSpan.Zero, Token);
    }

    [Fact]
    public async Task AddressAsync_PodOnThePodNetwork_ReportsTheIpTheApiShows()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("serving\n");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.serve.1", "serve");
        await using var process = (await executor.StartAsync(launch, Token)).Process!;

        var address = await AddressAsync(process);

        var pod = Assert.Single(api.Cluster.Pods("yard", $"{KubernetesNames.AttemptIdLabel}={launch.AttemptId}"));
        Assert.StartsWith("10.244.", address, StringComparison.Ordinal);
        Assert.Equal(pod.Status.PodIP, address);
        Assert.Equal(address, Assert.Single(pod.Status.PodIPs).Ip);
        Assert.Equal(address, await AddressAsync(process));
        await process.StopAsync(TimeSpan.Zero, Token);
    }

    [Fact]
    public async Task AddressAsync_JobDeletedWhileItsPodWaits_NullAndTheAttemptEnded()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Waiting("ImagePullBackOff", "Back-off pulling image \"ghcr.io/acme/yard:1.0\"");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.serve.1", "serve");
        await using var process = (await executor.StartAsync(launch, Token)).Process!;
        var address = ((IAddressedProcess)process).AddressAsync(Token);
        await KubernetesLaunches.UntilAsync(() => api.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/yard/pods", StringComparison.Ordinal)) >= 3, "the pod read while it has no IP");
        Assert.False(address.IsCompleted);

        Assert.True(api.Cluster.DeleteJob("yard", KubernetesNames.Job(launch.AttemptId), null, "Background"));

        Assert.Null(await address.WaitAsync(TimeSpan.FromSeconds(30), Token));
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.Contains("the Job was deleted before it ended", exit.Describe(), StringComparison.Ordinal);
    }

    private static Task<string?> AddressAsync(IStepProcess process) =>
        Assert.IsAssignableFrom<IAddressedProcess>(process).AddressAsync(Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
}
