using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// One attempt's Slurm job. The executor's one <see cref="SlurmJobWatcher"/> tells it the job's state at every poll;
/// <see cref="Exited"/> completes when the job has ended (its output is then in the log: slurmstepd wrote it); <see cref="Placed"/> once Slurm has started it on a node. Thread-safe.
/// </summary>
internal sealed class SlurmStepProcess : IStepProcess, IPlacedProcess
{
    private readonly SlurmJobs _jobs;
    private readonly SlurmJobWatcher? _watcher;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _placed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _node;
    private volatile SlurmJobState? _last;
    private volatile bool _stopRequested;

    /// <summary>A handle on job <paramref name="jobId"/>, placed on <paramref name="node"/> when known; <paramref name="watcher"/> null for a job that has ended.</summary>
    public SlurmStepProcess(SlurmJobs jobs, SlurmJobWatcher? watcher, TimeProvider time, string jobId, string? node)
    {
        _jobs = jobs;
        _watcher = watcher;
        _time = time;
        JobId = jobId;
        _node = node;
    }

    /// <summary>The Slurm job id.</summary>
    public string JobId { get; }

    /// <summary><c>slurm job 123 on n1</c> (<c>slurm job 123</c> before it is placed).</summary>
    public string Locator => _node is { } node ? $"slurm job {JobId} on {node}" : $"slurm job {JobId}";

    public Task<StepExit> Exited => _exited.Task;

    /// <inheritdoc />
    public Task<string> Placed => _placed.Task;

    /// <summary>Takes in a state from a poll; true when the job has ended (and <see cref="Exited"/> is complete).</summary>
    public bool Observe(SlurmJobState state)
    {
        _node = state.Node ?? _node;
        _last = state;
        if (!state.IsPending && state.Node is { } node)
        {
            _placed.TrySetResult(node);
        }

        if (SlurmJobOutcome.From(state, Locator, _stopRequested) is not { } exit)
        {
            return false;
        }

        _exited.TrySetResult(exit);
        return true;
    }

    /// <summary>Ends <see cref="Exited"/> with an error: the job can no longer be followed.</summary>
    public void Lose(string why) => _exited.TrySetResult(new StepExit(null, null, Error: $"{Locator}: {why}"));

    /// <summary>
    /// <c>scancel --signal=TERM --full</c> (a pending job is cancelled at once), then, when it has not ended after
    /// <paramref name="grace"/>, <c>scancel --signal=KILL --full</c> and <c>scancel</c>; completes when a poll sees it
    /// ended. Idempotent; a no-op once ended. While slurmctld cannot be reached it keeps waiting (until cancelled).
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        _stopRequested = true;
        try
        {
            // scancel --signal on a pending job is refused only after scancel retried for half a minute: look first.
            var state = _last ?? (await _jobs.StatesAsync([JobId], cancellationToken)).States.GetValueOrDefault(JobId);
            if (state is null || state.IsPending || !await _jobs.SignalAsync(JobId, "TERM", cancellationToken))
            {
                await _jobs.CancelAsync(JobId, cancellationToken);
            }
        }
        catch (SlurmCommandException)
        {
            // slurmctld is unreachable; the kill below tries again, and the watcher goes on polling.
        }

        try
        {
            await _exited.Task.WaitAsync(grace, _time, cancellationToken);
            return;
        }
        catch (TimeoutException)
        {
            // Still running after the grace.
        }

        try
        {
            if (_last is not { IsPending: true })
            {
                await _jobs.SignalAsync(JobId, "KILL", cancellationToken);
            }

            await _jobs.CancelAsync(JobId, cancellationToken);
        }
        catch (SlurmCommandException)
        {
            // As above: the job's end is learnt from the watcher once slurmctld answers.
        }

        await _exited.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops following the job; it keeps running in Slurm (a later <see cref="IStepExecutor.ReattachAsync"/> finds it by
    /// the job id in the attempt directory). When it had not ended, <see cref="Exited"/> completes with an error saying so.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        _watcher?.Forget(this);
        Lose("no longer watched (the handle was disposed before the job ended); it may still run");
        return ValueTask.CompletedTask;
    }
}
