using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Docker;

/// <summary>An attempt whose container is gone but whose outcome was recorded before removal.</summary>
internal sealed class DockerEndedProcess(string locator, StepExit exit) : IStepProcess
{
    public string Locator { get; } = locator;

    public Task<StepExit> Exited { get; } = Task.FromResult(exit);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
