using Yardmaster.Executors.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>The kubernetes executor against the stand-in API server (not a cluster): a Job's whole life through the API.</summary>
public sealed class KubernetesExecutorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_ShellStep_RunsToSuccessWithItsOutputInTheLog()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.prepare.1", "echo hello-from-pod; echo on-stderr >&2; echo run=$YARD_RUN_ID");

        var start = await executor.StartAsync(launch, Token);

        Assert.Null(start.Error);
        await using var process = start.Process!;
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.True(exit.Succeeded, exit.Describe());
        var log = await File.ReadAllTextAsync(launch.LogPath, Token);
        Assert.Contains("hello-from-pod", log, StringComparison.Ordinal);
        Assert.Contains("on-stderr", log, StringComparison.Ordinal);
        Assert.Contains("run=r1", log, StringComparison.Ordinal);
        Assert.Equal("job yard/" + KubernetesNames.Job(launch.AttemptId), process.Locator);
    }
}
