using System.Net;
using System.Net.Sockets;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// The kubernetes executor against the stand-in API server (not a cluster): a Job's whole life through the API. The
/// executors poll every 5 min, so an attempt that ends within the tests' 30 s was followed by the watch.
/// </summary>
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

    [Fact]
    public async Task Exited_JobEndsWhileWatched_TheWatchEventEndsTheWaitNotThePoll()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.watched.1", "sleep 1000");
        var name = KubernetesNames.Job(launch.AttemptId);
        await using var process = (await executor.StartAsync(launch, Token)).Process!;
        await KubernetesLaunches.UntilAsync(() => api.Requests.Any(r => r.Contains("watch=true", StringComparison.Ordinal) && r.Contains("fieldSelector=metadata.name%3D" + name, StringComparison.Ordinal)), "a watch on the Job");

        api.Cluster.EndPod("yard", name, "done\n", 0);

        // The poll interval is 5 min: only the watch's event can end this within 30 s.
        Assert.True((await KubernetesLaunches.ExitAsync(process, api)).Succeeded);
    }

    [Fact]
    public async Task StartAsync_FailingCommand_ReportsItsExitCode()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);

        var start = await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.fail.1", "echo about-to-fail; exit 3"), Token);

        await using var process = start.Process!;
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.Succeeded);
        Assert.False(exit.OomKilled);
        Assert.Equal("exit 3", exit.Describe());
    }

    [Fact]
    public async Task StartAsync_ContainerOomKilled_ReportsOomKilled()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.OomKilled("allocating 2 GiB\n");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.train.1", "python train.py") with { MemoryBytes = 64L << 20 };

        var start = await executor.StartAsync(launch, Token);

        await using var process = start.Process!;
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.True(exit.OomKilled);
        Assert.False(exit.TimedOut);
        Assert.Contains("OOM-killed", exit.Describe(), StringComparison.Ordinal);
        Assert.Contains("allocating 2 GiB", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_DeadlineExceeded_ReportsTimedOut()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.DeadlineExceeded("still going\n");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.slow.1", "sleep 1000") with { TimeLimit = TimeSpan.FromSeconds(30) };

        var start = await executor.StartAsync(launch, Token);

        await using var process = start.Process!;
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.True(exit.TimedOut);
        Assert.False(exit.Succeeded);
        Assert.Equal("ended by the engine at its time limit", exit.Describe());
        var job = api.Cluster.Job("yard", KubernetesNames.Job(launch.AttemptId))!;
        Assert.Equal(90, job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public async Task StopAsync_RunningJob_DeletesJobAndPodWithTheGraceAndEndsWhenTheyAreGone()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("working\n");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.serve.1", "sleep 1000");
        var name = KubernetesNames.Job(launch.AttemptId);
        var start = await executor.StartAsync(launch, Token);
        await using var process = start.Process!;
        await KubernetesLaunches.UntilAsync(() => File.Exists(launch.LogPath) && File.ReadAllText(launch.LogPath).Contains("working", StringComparison.Ordinal), "the pod's log");

        // The pod's own terminationGracePeriodSeconds is 30 s, and its container ignores SIGTERM: the stop's 1 s must reach it.
        await process.StopAsync(TimeSpan.FromSeconds(1), Token).WaitAsync(TimeSpan.FromSeconds(20), Token);

        Assert.True(process.Exited.IsCompleted);
        Assert.Null(api.Cluster.Job("yard", name));
        Assert.Empty(api.Cluster.Pods("yard", null));
        Assert.Contains(("job", name, (long?)1, "Foreground"), api.Cluster.Deletes);
        Assert.Contains(api.Cluster.Deletes, d => d.Kind == "pod" && d.Name.StartsWith(name, StringComparison.Ordinal) && d.Grace == 1);
        // The stand-in removes a killed pod at once, so its exit status is never seen; a cluster may show it first (then: signal 9).
        Assert.Contains("deleted on request before its exit status was seen", (await process.Exited).Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReattachAsync_FromANewExecutor_FindsTheJobByLabelAndFollowsItToItsEnd()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("before-restart\n");
        var kubeconfig = api.WriteKubeconfig(dir.Path);
        var launch = KubernetesLaunches.Shell(dir, "r7.eval.2", "run-eval");
        var name = KubernetesNames.Job(launch.AttemptId);
        using (var first = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System))
        {
            await using var started = (await first.StartAsync(launch, Token)).Process!;
            await KubernetesLaunches.UntilAsync(() => File.Exists(launch.LogPath) && File.ReadAllText(launch.LogPath).Contains("before-restart", StringComparison.Ordinal), "the pod's log");
        }

        using var second = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System);
        await using var process = await second.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.Equal("job yard/" + name, process.Locator);
        Assert.Contains(api.Requests, r => r.Contains("labelSelector=yardmaster%2Fattempt-id%3Dr7.eval.2", StringComparison.Ordinal));
        Assert.False(process.Exited.IsCompleted);
        api.Cluster.EndPod("yard", name, "after-restart\n", 0);
        var exit = await KubernetesLaunches.ExitAsync(process, api);
        Assert.True(exit.Succeeded, exit.Describe());
        Assert.Contains("after-restart", await File.ReadAllTextAsync(launch.LogPath, Token), StringComparison.Ordinal);
        Assert.Single(api.Cluster.Jobs("yard", null, null));
    }

    [Fact]
    public async Task Exited_ApiGoneForLongerThanLostAfter_ReportsTheAttemptLost()
    {
        using var dir = new TempDirectory();
        var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("up\n");
        var options = KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path));
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        options.LostAfter = TimeSpan.FromSeconds(1);
        using var executor = new KubernetesExecutor(options, TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.lost.1", "sleep 1000");
        await using var process = (await executor.StartAsync(launch, Token)).Process!;
        await KubernetesLaunches.UntilAsync(() => File.Exists(launch.LogPath) && File.ReadAllText(launch.LogPath).Contains("up", StringComparison.Ordinal), "the pod's log");

        await api.DisposeAsync();

        var exit = await process.Exited.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Contains("lost track of it", exit.Error, StringComparison.Ordinal);
        Assert.Contains("is not reachable", exit.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReattachAsync_NoSuchJobAndNothingRecorded_ReturnsNull()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);

        Assert.Null(await executor.ReattachAsync(KubernetesLaunches.Shell(dir, "r9.never.1", "true"), Token));
    }

    [Fact]
    public async Task ReattachAsync_JobRemovedAfterItsOutcomeWasRecorded_ReturnsThatOutcome()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        var kubeconfig = api.WriteKubeconfig(dir.Path);
        var launch = KubernetesLaunches.Shell(dir, "r1.report.1", "exit 4");
        using (var first = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System))
        {
            await using var started = (await first.StartAsync(launch, Token)).Process!;
            Assert.Equal(4, (await KubernetesLaunches.ExitAsync(started, api)).ExitCode);
        }

        // ttlSecondsAfterFinished passed while the scheduler was down.
        api.Cluster.DeleteJob("yard", KubernetesNames.Job(launch.AttemptId), null, "Background");
        using var second = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System);
        await using var process = await second.ReattachAsync(launch, Token);

        Assert.NotNull(process);
        Assert.True(process.Exited.IsCompleted);
        Assert.Equal(4, (await process.Exited).ExitCode);
    }

    [Fact]
    public async Task StartAsync_SameAttemptAgainAfterACrash_WatchesTheJobItCreatedInsteadOfASecond()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Forever("once\n");
        var kubeconfig = api.WriteKubeconfig(dir.Path);
        var launch = KubernetesLaunches.Shell(dir, "r1.once.1", "run-once");
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System);
        await using var first = (await executor.StartAsync(launch, Token)).Process!;

        var again = await executor.StartAsync(launch, Token);

        Assert.Null(again.Error);
        await using var second = again.Process!;
        Assert.Single(api.Cluster.Jobs("yard", null, null));
        Assert.Single(api.Cluster.Pods("yard", null));
        api.Cluster.EndPod("yard", KubernetesNames.Job(launch.AttemptId), "", 0);
        var exit = await KubernetesLaunches.ExitAsync(second, api);
        Assert.True(exit.Succeeded, exit.Describe());
    }

    [Fact]
    public async Task StartAsync_ApiUnreachable_FailsNamingTheServer()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        var closed = ClosedPort();
        var kubeconfig = api.WriteKubeconfig(dir.Path, server: new Uri($"https://127.0.0.1:{closed}/"));
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System);

        var start = await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.x.1", "true"), Token);

        Assert.Null(start.Process);
        Assert.Contains($"the Kubernetes API at https://127.0.0.1:{closed} is not reachable", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_Forbidden_FailsWith403AndTheRightsTheAccountNeeds()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Forbidden = true;
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);

        var start = await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.x.1", "true"), Token);

        Assert.Null(start.Process);
        Assert.Contains("refused to create Job yard-r1-x-1-", start.Error, StringComparison.Ordinal);
        Assert.Contains("403 Forbidden: jobs.batch is forbidden", start.Error, StringComparison.Ordinal);
        Assert.Contains("needs create, get, list, watch and delete on jobs", start.Error, StringComparison.Ordinal);
        Assert.Empty(api.Cluster.Jobs("yard", null, null));
    }

    [Fact]
    public async Task StartAsync_MissingNamespace_FailsNamingIt()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        var options = KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path));
        options.Settings = options.Settings with { Namespace = "nowhere" };
        using var executor = new KubernetesExecutor(options, TimeProvider.System);

        var start = await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.x.1", "true"), Token);

        Assert.Contains("404 NotFound: namespaces \"nowhere\" not found", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_SendsTheKubeconfigsBearerToken_AndAWrongOneIsRefusedWith401()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using (var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System))
        {
            await using var process = (await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.auth.1", "true"), Token)).Process!;
            Assert.True((await KubernetesLaunches.ExitAsync(process, api)).Succeeded);
        }

        Assert.True(api.Authorizations.Count >= 4);
        Assert.All(api.Authorizations, a => Assert.Equal("Bearer " + KubeApiStandIn.Token, a));

        using var wrong = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path, token: "not-the-token")), TimeProvider.System);
        var start = await wrong.StartAsync(KubernetesLaunches.Shell(dir, "r1.auth.2", "true"), Token);
        Assert.Contains("401 Unauthorized", start.Error, StringComparison.Ordinal);
        Assert.Contains("credentials of the kubeconfig were not accepted", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ImageCannotBePulled_SaysSoInTheStepLog()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        api.Cluster.Life = _ => new PodLife.Waiting("ImagePullBackOff", "Back-off pulling image \"registry.example/missing:1\"");
        var options = KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path));
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        using var executor = new KubernetesExecutor(options, TimeProvider.System);
        var launch = KubernetesLaunches.Shell(dir, "r1.pull.1", "true");
        await using var process = (await executor.StartAsync(launch, Token)).Process!;

        await KubernetesLaunches.UntilAsync(() => File.Exists(launch.LogPath) && File.ReadAllText(launch.LogPath).Contains("is waiting: ImagePullBackOff: Back-off pulling image", StringComparison.Ordinal), "the note in the log");

        Assert.False(process.Exited.IsCompleted);
        await process.StopAsync(TimeSpan.Zero, Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Empty(api.Cluster.Jobs("yard", null, null));
    }

    [Fact]
    public async Task StartAsync_InferenceStep_FailsSayingWhatTheExecutorRuns()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        using var executor = new KubernetesExecutor(KubernetesLaunches.Options(api.WriteKubeconfig(dir.Path)), TimeProvider.System);

        var start = await executor.StartAsync(KubernetesLaunches.Shell(dir, "r1.ask.1", "x") with { Command = null }, Token);

        Assert.Contains("runs only those", start.Error, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Constructor_TokenForAPlainHttpServer_RefusedBeforeItIsSentInClear()
    {
        using var dir = new TempDirectory();
        await using var api = await KubeApiStandIn.StartAsync();
        var kubeconfig = api.WriteKubeconfig(dir.Path, server: new Uri("http://127.0.0.1:8080/"));

        var e = Assert.Throws<ArgumentException>(() => new KubernetesExecutor(KubernetesLaunches.Options(kubeconfig), TimeProvider.System));

        Assert.Contains("sends credentials to http://127.0.0.1:8080 over plain http", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadSettings_ListsEveryProblem()
    {
        var options = new KubernetesExecutorOptions
        {
            Settings = new()
            {
                Namespace = "Not_A_Namespace",
                Kubeconfig = "/nonexistent/kubeconfig",
                ImagePullPolicy = "Sometimes",
                Tolerations = [new Dictionary<string, string> { ["key"] = "gpu", ["colour"] = "blue" }],
            },
        };

        var e = Assert.Throws<ArgumentException>(() => new KubernetesExecutor(options, TimeProvider.System));

        Assert.Contains("namespace 'Not_A_Namespace'", e.Message, StringComparison.Ordinal);
        Assert.Contains("kubeconfig '/nonexistent/kubeconfig' does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("image_pull_policy 'Sometimes'", e.Message, StringComparison.Ordinal);
        Assert.Contains("tolerations[0] has 'colour'", e.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
