using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>An attempt whose Job is gone and whose outcome was recorded before: already ended.</summary>
internal sealed class KubernetesEndedProcess(string locator, StepExit exit) : IStepProcess
{
    public string Locator { get; } = locator;

    public Task<StepExit> Exited { get; } = Task.FromResult(exit);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
