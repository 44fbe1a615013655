namespace Yardmaster.Core.Execution;

/// <summary>One running (or re-attached) attempt. Thread-safe.</summary>
public interface IStepProcess : IAsyncDisposable
{
    /// <summary>What identifies it where it runs, for people and the store: <c>pid 4242</c>, a container id.</summary>
    string Locator { get; }

    /// <summary>Completes once, when the attempt has ended and its output is flushed to the log; never faults.</summary>
    Task<StepExit> Exited { get; }

    /// <summary>
    /// Stops it: SIGTERM to its whole process group (a container: the engine's stop), then SIGKILL when it
    /// is still alive after <paramref name="grace"/>. Completes when it has ended. Idempotent; a no-op once ended.
    /// </summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);
}
