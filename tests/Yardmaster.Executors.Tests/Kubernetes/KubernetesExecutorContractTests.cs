using Yardmaster.Core.Execution;
using Yardmaster.Executors.Kubernetes;
using Yardmaster.Tests.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>
/// The executor contract through the stand-in API server, whose kubelet runs each pod's <c>/bin/sh -c</c> on this
/// machine: the Job, its watch, its log and its outcome go through the API as with a cluster; the container does not.
/// </summary>
public sealed class KubernetesExecutorContractTests : ExecutorContract, IAsyncLifetime
{
    private readonly TempDirectory _config = new();
    private KubeApiStandIn? _api;
    private KubernetesExecutor? _executor;

    protected override IStepExecutor Executor => _executor!;

    protected override StepLaunch Launch(TempDirectory dir, string attemptId, string shell) =>
        KubernetesLaunches.Shell(dir, attemptId, shell);

    public async ValueTask InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        _executor = new KubernetesExecutor(KubernetesLaunches.Options(_api.WriteKubeconfig(_config.Path)), TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        _executor?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _config.Dispose();
    }
}
