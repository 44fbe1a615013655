using System.Globalization;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Process;

/// <summary>
/// A running (or re-attached) attempt: the wrapper shell, leader of its own process group. Its end is seen by
/// the <see cref="ChildReaper"/>; the exit status comes from <c>waitpid</c> for a child of this process, else
/// from the status file the wrapper writes. Thread-safe; disposing does not stop it.
/// </summary>
internal sealed class ProcessAttempt : IStepProcess
{
    private readonly Lock _gate = new();
    private readonly int _pid;
    private readonly bool _isChild;
    private readonly string _attemptDirectory;
    private readonly AttemptCgroup? _cgroup;
    private readonly AttemptCgroup? _cpuQuota;
    private readonly string? _throttleLog;
    private readonly bool _removeState;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<StepExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended; // guarded by _gate: once set, _pid may name another process, so it is never signalled again
    private int? _signalled; // guarded by _gate: the last signal StopAsync sent, for a non-child that ends without a status

    /// <param name="pid">The wrapper's pid and process group id.</param>
    /// <param name="isChild">True when this process spawned it (and so must reap it).</param>
    /// <param name="attemptDirectory">Where the wrapper writes its status file.</param>
    /// <param name="cgroup">The attempt's memory cgroup, removed after the end; null for none.</param>
    /// <param name="time">For the stop grace period.</param>
    /// <param name="removeState">Remove <paramref name="attemptDirectory"/> on dispose once ended (a state folder of the executor's own, not the attempt's directory).</param>
    /// <param name="cpuQuota">The attempt's v1 cpu cgroup holding its hard limit, removed after the end; null for none.</param>
    /// <param name="throttleLog">For a step with a hard CPU limit, its log, which gets a line on how the limit held it back; null for none.</param>
    public ProcessAttempt(int pid, bool isChild, string attemptDirectory, AttemptCgroup? cgroup, TimeProvider time, bool removeState = false, AttemptCgroup? cpuQuota = null, string? throttleLog = null)
    {
        _cpuQuota = cpuQuota;
        _throttleLog = throttleLog;
        _removeState = removeState;
        _pid = pid;
        _isChild = isChild;
        _attemptDirectory = attemptDirectory;
        _cgroup = cgroup;
        _time = time;
    }

    public string Locator => "pid " + _pid.ToString(CultureInfo.InvariantCulture);

    public Task<StepExit> Exited => _exited.Task;

    /// <summary>An attempt that ended while nobody watched: completes at once with the recorded status.</summary>
    public static async Task<ProcessAttempt> EndedAsync(int pid, int status, string attemptDirectory, AttemptCgroup? cgroup, TimeProvider time, bool removeState = false, AttemptCgroup? cpuQuota = null, string? throttleLog = null)
    {
        var attempt = new ProcessAttempt(pid, isChild: false, attemptDirectory, cgroup, time, removeState, cpuQuota, throttleLog) { _ended = true };
        await attempt.FinishAsync(new StepExit(status, null)).ConfigureAwait(false);
        return attempt;
    }

    /// <summary>Called by the reaper thread once the wrapper has exited.</summary>
    public void OnExit()
    {
        StepExit exit;
        lock (_gate)
        {
            if (_isChild)
            {
                // The leader is a zombie until waitpid, so its group id cannot have been reused: end what the
                // step left running in the background, then reap it.
                LibC.kill(-_pid, LibC.SIGKILL);
                exit = LibC.waitpid(_pid, out var status, LibC.WNOHANG) == _pid ? Decode(status) : FromStatusFile();
            }
            else
            {
                // Not ours to reap: the group id stays taken while any member lives, and is free (ESRCH) after;
                // only a pid wrap-around within this instant could make it name another group.
                LibC.kill(-_pid, LibC.SIGKILL);
                exit = FromStatusFile();
                if (exit.Error is not null && _signalled is { } signal)
                {
                    exit = new StepExit(null, signal);
                }
            }

            _ended = true;
        }

        if (_cgroup is null && _cpuQuota is null)
        {
            _exited.TrySetResult(exit);
        }
        else
        {
            _ = Task.Run(() => FinishAsync(exit));
        }
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        Signal(LibC.SIGTERM);
        try
        {
            await Exited.WaitAsync(grace, _time, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            // Still alive after the grace period.
        }

        Signal(LibC.SIGKILL);
        _cgroup?.KillAll();
        _cpuQuota?.KillAll();
        await Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Once ended, removes the executor's state folder (the caller has recorded the outcome); before, nothing: the process keeps running.</summary>
    public ValueTask DisposeAsync()
    {
        if (_removeState && _exited.Task.IsCompleted)
        {
            try
            {
                Directory.Delete(_attemptDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already, or busy: it is small, and the next boot clears the RAM folder.
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Signal(int signal)
    {
        lock (_gate)
        {
            if (!_ended && LibC.kill(-_pid, signal) == 0)
            {
                _signalled = signal;
            }
        }
    }

    private async Task FinishAsync(StepExit exit)
    {
        if (_throttleLog is not null && (_cpuQuota ?? (_cgroup is { IsV2: true } ? _cgroup : null))?.Throttling() is { } note)
        {
            try
            {
                await File.AppendAllTextAsync(_throttleLog, "[yard] " + note + "\n").ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The log is the step's; a note that cannot be added is not worth failing the attempt for.
            }
        }

        if (_cgroup is not null)
        {
            exit = exit with { OomKilled = _cgroup.WasOomKilled() };
            await _cgroup.RemoveAsync(_time).ConfigureAwait(false);
        }

        if (_cpuQuota is not null)
        {
            await _cpuQuota.RemoveAsync(_time).ConfigureAwait(false);
        }

        _exited.TrySetResult(exit);
    }

    private static StepExit Decode(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? new StepExit((status >> 8) & 0xff, null) : new StepExit(null, signal);
    }

    private StepExit FromStatusFile() => PidFile.TryReadStatus(_attemptDirectory) is { } code
        ? new StepExit(code, null)
        : new StepExit(null, null, Error: "the step's process ended without recording an exit status (killed while no scheduler watched it?)");
}
