using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// Runs <c>run:</c> steps as Slurm batch jobs: one <c>sbatch --parsable</c> per attempt (arguments as a list, the
/// command in a batch script in the attempt directory, resources, time limit and node from the launch, output
/// appended to the step's log), one poll loop over <c>squeue</c>/<c>sacct</c> for every job, <c>scancel</c> to stop.
/// The job id is written to the attempt directory before <see cref="StartAsync"/> returns, and the job is named
/// <c>yard-ATTEMPT</c>, so a restarted scheduler finds it by either. The log file, working directory and the attempt
/// directory's parent must be on a file system the nodes share. Thread-safe; dispose it after the handles it gave out.
/// </summary>
public sealed class SlurmExecutor : IStepExecutor, IAsyncDisposable
{
    private readonly SlurmExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly SlurmJobs _jobs;
    private readonly SlurmJobWatcher _watcher;

    /// <summary>Builds it; throws <see cref="ArgumentException"/> listing every problem of <paramref name="options"/>.</summary>
    public SlurmExecutor(SlurmExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _time = time;
        _jobs = new SlurmJobs(new SlurmCommands(options, time));
        _watcher = new SlurmJobWatcher(_jobs, options, time);
    }

    /// <inheritdoc/>
    public string Name => Core.Pipelines.Engines.Slurm;

    /// <summary>
    /// Submits the attempt. Writes the batch script, runs <c>sbatch</c> (the step's environment on top of this
    /// process's, exported to the job), writes the job id, and follows the job. When the attempt directory already
    /// holds a job id (the same attempt was submitted before a crash), that job is followed instead: never twice.
    /// A missing <c>sbatch</c>, an unreachable controller or a refusal (an unknown partition, a node that does not
    /// exist, more than a node has) is <see cref="StepStart.Failed"/> with Slurm's words.
    /// </summary>
    public async Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Command is not { } command)
        {
            return StepStart.Failed($"step '{launch.StepId}' has no run: command: the slurm executor runs shell steps only");
        }

        if (launch.CpuLimitMillis > 0)
        {
            return StepStart.Failed("resources.cpu_limit is not passed to Slurm, which confines a job to its allocated cores by its own cgroup plugin (ConstrainCores)");
        }

        if (await SlurmAttemptFiles.ReadJobIdAsync(launch.AttemptDirectory, cancellationToken) is not null)
        {
            try
            {
                if (await ReattachAsync(launch, cancellationToken) is { } found)
                {
                    return StepStart.Started(found);
                }
            }
            catch (SlurmCommandException e)
            {
                return StepStart.Failed($"attempt {launch.AttemptId} was submitted before and cannot be looked up: {e.Message}");
            }
        }

        var script = await SlurmAttemptFiles.WriteScriptAsync(launch, command, cancellationToken);
        string jobId;
        try
        {
            jobId = await _jobs.SubmitAsync(SlurmSubmission.Arguments(_options, launch, script), launch.Environment, cancellationToken);
        }
        catch (SlurmCommandException e)
        {
            return StepStart.Failed(e.Message);
        }

        try
        {
            await SlurmAttemptFiles.WriteJobIdAsync(launch.AttemptDirectory, jobId, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unrecorded, a crash now would leave a job nobody follows; take it back.
            await _jobs.CancelAsync(jobId, CancellationToken.None);
            return StepStart.Failed($"slurm job {jobId} was cancelled: its id could not be written to {launch.AttemptDirectory} ({e.Message})");
        }

        return StepStart.Started(Follow(jobId, SlurmNodeOf(launch)));
    }

    /// <summary>
    /// Finds the attempt's job: by the job id in the attempt directory, else (the scheduler died between
    /// <c>sbatch</c> and writing the id) by its name <c>yard-ATTEMPT</c> in <c>squeue</c> and <c>sacct</c>. Running or
    /// pending: followed again. Ended: a handle whose <see cref="IStepProcess.Exited"/> is complete. A job id Slurm no
    /// longer knows: an ended handle with an error saying its outcome is lost. No batch script, or no job of its name:
    /// null (never submitted). An unreachable slurmctld throws <see cref="SlurmCommandException"/>: the scheduler must
    /// not conclude the attempt is gone.
    /// </summary>
    public async Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var jobId = await SlurmAttemptFiles.ReadJobIdAsync(launch.AttemptDirectory, cancellationToken);
        if (jobId is null)
        {
            var script = SlurmAttemptFiles.ScriptPath(launch);
            if (!File.Exists(script))
            {
                return null;
            }

            var since = new DateTimeOffset(File.GetLastWriteTimeUtc(script), TimeSpan.Zero) - TimeSpan.FromMinutes(5);
            jobId = await _jobs.FindByNameAsync(SlurmSubmission.JobName(launch.AttemptId), since, cancellationToken);
            if (jobId is null)
            {
                return null;
            }

            await SlurmAttemptFiles.WriteJobIdAsync(launch.AttemptDirectory, jobId, cancellationToken);
        }

        var (states, accountingError) = await _jobs.StatesAsync([jobId], cancellationToken);
        if (!states.TryGetValue(jobId, out var state))
        {
            var lost = new SlurmStepProcess(_jobs, null, _time, jobId, SlurmNodeOf(launch));
            lost.Lose($"known neither to slurmctld (squeue) nor to accounting ({accountingError ?? "sacct has no record"}); its outcome is unknown");
            return lost;
        }

        var process = new SlurmStepProcess(_jobs, _watcher, _time, jobId, state.Node ?? SlurmNodeOf(launch));
        if (!process.Observe(state))
        {
            _watcher.Watch(process);
        }

        return process;
    }

    /// <summary>Why the last poll failed (slurmctld unreachable); null after one that worked. For diagnostics and tests.</summary>
    internal string? LastPollError => _watcher.LastError;

    /// <summary>Stops the poll loop; handles still following a job then report that nobody watches it (the jobs keep running).</summary>
    public ValueTask DisposeAsync() => _watcher.DisposeAsync();

    private SlurmStepProcess Follow(string jobId, string? node)
    {
        var process = new SlurmStepProcess(_jobs, _watcher, _time, jobId, node);
        _watcher.Watch(process);
        return process;
    }

    private static string? SlurmNodeOf(StepLaunch launch) =>
        launch.Node is { Length: > 0 } node && node != Core.Pipelines.Engines.Local ? node : null;
}
