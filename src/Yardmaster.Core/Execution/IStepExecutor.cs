namespace Yardmaster.Core.Execution;

/// <summary>
/// How a step runs (<c>process</c>, <c>docker</c>, later <c>slurm</c>, <c>kubernetes</c>): the port between the
/// job scheduler and the place work runs. The scheduler writes every transition to the store before it calls
/// an executor, owns timeouts, retries and preemption, and tells an executor only to start, find again and stop.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Expected failures (the engine is absent, the image is missing, the
/// command cannot be spawned) are values (<see cref="StepStart.Error"/>), never exceptions.
/// </remarks>
public interface IStepExecutor
{
    /// <summary>The name steps select it by: <c>process</c>, <c>docker</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Starts one attempt. Before it returns, the attempt can be found again by <see cref="ReattachAsync"/>
    /// from its <see cref="StepLaunch.AttemptId"/> and <see cref="StepLaunch.AttemptDirectory"/> alone (a pid file
    /// in the attempt directory, a container named after the attempt), so that a scheduler killed right after
    /// the start never runs the attempt a second time.
    /// </summary>
    Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken);

    /// <summary>
    /// Finds an attempt started by an earlier scheduler process (after a crash or a restart). Returns a
    /// handle whose <see cref="IStepProcess.Exited"/> completes when the attempt ends (already completed
    /// when it ended while nobody watched and its outcome was recorded), or null when no trace of it is
    /// found (it never started, or its process is gone without an outcome: the scheduler then fails the
    /// attempt and applies the retry policy). A process whose pid was reused is never mistaken for it.
    /// </summary>
    Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken);
}
