using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>Launches and executors for the kubernetes executor's tests.</summary>
internal static class KubernetesLaunches
{
    /// <summary>A shell step's launch under <paramref name="dir"/> (run directory <c>run/</c>, attempt directory <c>attempt/</c>, log <c>step.log</c>).</summary>
    public static StepLaunch Shell(TempDirectory dir, string attemptId, string command)
    {
        Directory.CreateDirectory(dir.File("run"));
        return new StepLaunch
        {
            AttemptId = attemptId,
            RunId = attemptId.Split('.')[0],
            StepId = attemptId.Split('.')[1],
            Attempt = 1,
            Command = command,
            WorkingDirectory = dir.File("run"),
            AttemptDirectory = dir.File("attempt"),
            LogPath = dir.File("step.log"),
        };
    }

    /// <summary>
    /// Options on the stand-in's kubeconfig in namespace <c>yard</c>. The poll interval is long: a test that ends in
    /// seconds was woken by the watch, not by polling.
    /// </summary>
    public static KubernetesExecutorOptions Options(string kubeconfig) => new()
    {
        Settings = new KubernetesSettings { Namespace = "yard", Kubeconfig = kubeconfig },
        PollInterval = TimeSpan.FromMinutes(5),
        LogDrainTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The attempt's outcome within 30 s; on a timeout, the failure lists the requests the stand-in saw.</summary>
    public static async Task<StepExit> ExitAsync(IStepProcess process, KubeApiStandIn api)
    {
        try
        {
            return await process.Exited.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail("the attempt did not end within 30 s; the stand-in saw:\n" + string.Join("\n", api.Requests));
            throw;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after 30 s with <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
