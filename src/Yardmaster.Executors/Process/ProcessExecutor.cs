using System.Globalization;
using System.Runtime.InteropServices;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Process;

/// <summary>
/// Runs <c>run:</c> steps as local processes: <c>/bin/sh</c> in a process group of its own, output appended to the
/// step's log, an optional memory cgroup. A small wrapper script records the command's exit status in the attempt
/// directory, so an attempt can be found again, and its outcome read, by a later scheduler process.
/// </summary>
/// <remarks>
/// Thread-safe. Anything a step leaves running in the background is killed when its shell exits. Memory limits
/// are enforced only when <see cref="EnforcesMemoryLimits"/>; otherwise steps run without them.
/// </remarks>
public sealed class ProcessExecutor : IStepExecutor
{
    // $1 the command, $2 the status file, $3 and $4 the procs files of the cgroups it joins (its memory cgroup, its class's CPU cgroup). The exit status is recorded by an EXIT trap
    // around an eval in the wrapper itself, which costs no fork; a command that could replace that trap or the shell
    // (it says `trap` or `exec`) runs in a subshell instead, which costs one. Either way its own `exit` is recorded.
    // The status file is read only once the wrapper has ended, so a plain redirect is safe and spares a fork of mv.
    private const string Record = "s=$?; echo $s >\"$yard_status\"; exit $s";
    private const string InShell = "yard_status=$2; trap '" + Record + "' EXIT; yard_cmd=$1; shift $#; eval \"$yard_cmd\"";
    // In a subshell the step may trap SIGTERM to checkpoint within the grace: the wrapper, in the same process group, takes the
    // signal with a no-op trap (which the subshell does not inherit) and keeps waiting, instead of dying at once and having the
    // rest of the group killed before the step's own trap has run.
    private const string InSubshell = "yard_status=$2; trap : TERM; (trap - TERM; yard_cmd=$1; shift $#; eval \"$yard_cmd\"); " + Record;
    private const string JoinCgroup = "echo $$ >\"$3\" || exit 125; ";
    private const string JoinCpuGroup = "echo $$ >\"$4\" 2>/dev/null; "; // a weight only: a step runs without it rather than not at all

    private readonly CgroupRoot? _cgroupRoot;
    private readonly CpuClassGroups? _cpuGroups;
    private readonly string? _stateRoot;
    private readonly TimeProvider _time;

    /// <summary>Creates it, detecting the cgroup root once (see <see cref="ProcessExecutorOptions.CgroupRoot"/>).</summary>
    public ProcessExecutor(ProcessExecutorOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new ProcessExecutorOptions();
        _cgroupRoot = options.MemoryLimits ? Process.CgroupRoot.Detect(options.CgroupRoot) : null;
        _cpuGroups = options.CpuWeights ? CpuClassGroups.Detect() : null;
        _stateRoot = options.StateDirectory is { } root ? Path.GetFullPath(root) : null;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => "process";

    /// <summary>True when a step's <see cref="StepLaunch.MemoryBytes"/> is enforced (a writable memory cgroup was found).</summary>
    public bool EnforcesMemoryLimits => _cgroupRoot is not null;

    /// <summary>The cgroup directory attempts' cgroups are created in; null when limits are not enforced.</summary>
    public string? CgroupRoot => _cgroupRoot?.Path;

    /// <summary>True when steps run in their class's CPU cgroup (<see cref="ProcessExecutorOptions.CpuWeights"/>).</summary>
    public bool WeighsCpu => _cpuGroups is not null;

    /// <summary>The folder of the class's CPU cgroup steps of <paramref name="priority"/> join; null when CPU is not weighted.</summary>
    public string? CpuGroupOf(Core.PriorityClass priority) => _cpuGroups?.GroupOf(priority);

    /// <inheritdoc />
    public Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Command is null)
        {
            return Task.FromResult(StepStart.Failed("the process executor runs 'run:' steps; this step has no command (a container step needs the docker executor)"));
        }

        if (!Directory.Exists(launch.WorkingDirectory))
        {
            return Task.FromResult(StepStart.Failed($"working directory '{launch.WorkingDirectory}' does not exist"));
        }

        MemoryCgroup? cgroup = null;
        if (launch.MemoryBytes > 0 && _cgroupRoot is not null)
        {
            try
            {
                cgroup = MemoryCgroup.Create(_cgroupRoot, launch.AttemptId, launch.MemoryBytes);
            }
            catch (IOException e)
            {
                return Task.FromResult(StepStart.Failed($"could not create the memory cgroup under '{_cgroupRoot.Path}': {e.Message}"));
            }
        }

        var state = StateDirectory(launch);
        try
        {
            Directory.CreateDirectory(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _ = cgroup?.RemoveAsync(_time);
            return Task.FromResult(StepStart.Failed($"could not create the attempt's state directory '{state}': {e.Message}"));
        }

        var statusFile = Path.Combine(state, PidFile.StatusFileName);
        string[] arguments = [launch.Command, statusFile, cgroup?.ProcsFile ?? string.Empty, _cpuGroups?.ProcsFile(launch.Priority) ?? string.Empty];
        var pid = ShellSpawner.Spawn(Wrapper(launch.Command, cgroup is not null, _cpuGroups is not null), arguments, Environment(launch), launch.WorkingDirectory, launch.LogPath);
        if (pid < 0)
        {
            _ = cgroup?.RemoveAsync(_time);
            return Task.FromResult(StepStart.Failed($"could not start /bin/sh in '{launch.WorkingDirectory}' with log '{launch.LogPath}': {Marshal.GetPInvokeErrorMessage(-pid)}"));
        }

        // Still a child of ours and not reaped (nobody waits for it before the reaper does): only a kernel
        // older than 5.3 (no pidfd_open) fails here.
        var pidfd = LibC.PidfdOpen(pid);
        if (pidfd < 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            LibC.kill(-pid, LibC.SIGKILL);
            _ = LibC.waitpid(pid, out _, 0);
            _ = cgroup?.RemoveAsync(_time);
            return Task.FromResult(StepStart.Failed($"pidfd_open failed ({error}); the process executor needs Linux 5.3 or later"));
        }

        var record = new PidFile(pid, ProcStat.StartTime(pid) ?? 0, ProcStat.BootId, cgroup?.Path);
        var attempt = new ProcessAttempt(pid, isChild: true, state, cgroup, _time, removeState: _stateRoot is not null);
        ChildReaper.Shared.Watch(pidfd, attempt.OnExit);
        try
        {
            record.Write(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a pid file a restarted scheduler could run it twice: do not let it run.
            LibC.kill(-pid, LibC.SIGKILL);
            return Task.FromResult(StepStart.Failed($"could not write the pid file in '{state}': {e.Message}"));
        }

        return Task.FromResult(StepStart.Started(attempt));
    }

    /// <inheritdoc />
    public async Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var state = StateDirectory(launch);
        var removeState = _stateRoot is not null;
        var record = PidFile.TryRead(state);
        var cgroup = record?.Cgroup is { } path ? new MemoryCgroup(path, _cgroupRoot?.IsV2 ?? File.Exists(Path.Combine(path, "memory.events"))) : null;
        if (record is not null && record.BootId == ProcStat.BootId)
        {
            var pidfd = LibC.PidfdOpen(record.Pid);
            if (pidfd >= 0)
            {
                // Read after opening the pidfd: a match means the pidfd holds the very process the file names.
                if (ProcStat.StartTime(record.Pid) == record.StartTime)
                {
                    var attempt = new ProcessAttempt(record.Pid, isChild: false, state, cgroup, _time, removeState);
                    ChildReaper.Shared.Watch(pidfd, attempt.OnExit);
                    return attempt;
                }

                LibC.close(pidfd);
            }
        }

        if (ProcScan.FindWrapper(launch.AttemptId) is { } orphan)
        {
            // No pid file, or one cut short (the scheduler died between spawn and pid file): the wrapper, if it runs,
            // says by its environment which attempt it is.
            var pidfd = LibC.PidfdOpen(orphan);
            if (pidfd >= 0)
            {
                if (ProcScan.Runs(orphan, launch.AttemptId))
                {
                    var orphanPath = _cgroupRoot is null ? null : Path.Combine(_cgroupRoot.Path, launch.AttemptId);
                    var orphanCgroup = orphanPath is not null && Directory.Exists(orphanPath) ? new MemoryCgroup(orphanPath, _cgroupRoot!.IsV2) : null;
                    var attempt = new ProcessAttempt(orphan, isChild: false, state, orphanCgroup, _time, removeState);
                    ChildReaper.Shared.Watch(pidfd, attempt.OnExit);
                    return attempt;
                }

                LibC.close(pidfd);
            }
        }

        // Gone (or never recorded its pid: the scheduler died between spawn and pid file): only its status says how it ended.
        return PidFile.TryReadStatus(state) is { } status
            ? await ProcessAttempt.EndedAsync(record?.Pid ?? 0, status, state, cgroup, _time, removeState).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// The folder of the attempt's pid and status files: its own attempt directory, or one under
    /// <see cref="ProcessExecutorOptions.StateDirectory"/> named after the attempt and its directory (attempt ids repeat
    /// across data folders; their directories do not).
    /// </summary>
    private string StateDirectory(StepLaunch launch)
    {
        if (_stateRoot is null)
        {
            return launch.AttemptDirectory;
        }

        var folder = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(launch.AttemptDirectory))))[..16];
        return Path.Combine(_stateRoot, launch.AttemptId + "-" + folder);
    }

    /// <summary>The wrapper script: joins the memory cgroup (<c>$3</c>) and the class's CPU group (<c>$4</c>) when asked, then runs the command.</summary>
    private static string Wrapper(string command, bool memoryCgroup, bool cpuGroup)
    {
        var body = command.Contains("trap", StringComparison.Ordinal) || command.Contains("exec", StringComparison.Ordinal) ? InSubshell : InShell;
        return (memoryCgroup ? JoinCgroup : string.Empty) + (cpuGroup ? JoinCpuGroup : string.Empty) + body;
    }

    private static List<string> Environment(StepLaunch launch)
    {
        var extra = new Dictionary<string, string>(launch.Environment, StringComparer.Ordinal);
        if (launch.Gpus.Count > 0)
        {
            extra["CUDA_VISIBLE_DEVICES"] = string.Join(',', launch.Gpus);
        }

        extra["YARD_RUN_ID"] = launch.RunId;
        extra["YARD_STEP_ID"] = launch.StepId;
        extra["YARD_ATTEMPT"] = launch.Attempt.ToString(CultureInfo.InvariantCulture);
        extra[ProcScan.Variable] = launch.AttemptId;
        return ShellSpawner.Environment(extra);
    }
}
