using System.Globalization;
using System.Runtime.InteropServices;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Process;

/// <summary>
/// Runs <c>run:</c> steps as local processes: <c>/bin/sh</c> in a process group of its own, output appended to the
/// step's log, an optional memory cgroup, its class's CPU weight and an optional hard CPU limit. A small wrapper script records the command's exit status in the attempt
/// directory, so an attempt can be found again, and its outcome read, by a later scheduler process.
/// </summary>
/// <remarks>
/// Thread-safe. Anything a step leaves running in the background is killed when its shell exits. Memory limits
/// are enforced only when <see cref="EnforcesMemoryLimits"/>; otherwise steps run without them. A hard CPU limit is
/// enforced when <see cref="EnforcesCpuLimits"/>; otherwise a step that asks one fails to start.
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
    private const string JoinCpuQuota = "echo $$ >\"$4\" || exit 125; "; // a limit asked for: not run without it

    private readonly CgroupRoot? _cgroupRoot;
    private readonly CpuClassGroups? _cpuGroups;
    private readonly bool _weighsCpu;
    private readonly string? _stateRoot;
    private readonly TimeProvider _time;

    /// <summary>Creates it, detecting the cgroup root once (see <see cref="ProcessExecutorOptions.CgroupRoot"/>).</summary>
    public ProcessExecutor(ProcessExecutorOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new ProcessExecutorOptions();
        _cgroupRoot = options.MemoryLimits ? Process.CgroupRoot.Detect(options.CgroupRoot) : null;
        _cpuGroups = CpuClassGroups.Detect(options.CpuWeights);
        _weighsCpu = options.CpuWeights && (_cpuGroups is { Weighted: true } || _cgroupRoot is { IsV2: true, HasCpu: true });
        _stateRoot = options.StateDirectory is { } root ? Path.GetFullPath(root) : null;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => "process";

    /// <summary>True when a step's <see cref="StepLaunch.MemoryBytes"/> is enforced (a writable memory cgroup was found).</summary>
    public bool EnforcesMemoryLimits => _cgroupRoot is not null;

    /// <summary>The cgroup directory attempts' cgroups are created in; null when limits are not enforced.</summary>
    public string? CgroupRoot => _cgroupRoot?.Path;

    /// <summary>
    /// True when steps are weighted by class (<see cref="ProcessExecutorOptions.CpuWeights"/>): on v1 they join their class's
    /// CPU cgroup; on v2 their own cgroup carries the class's <c>cpu.weight</c>.
    /// </summary>
    public bool WeighsCpu => _weighsCpu;

    /// <summary>True when a step's <see cref="StepLaunch.CpuLimitMillis"/> is enforced as a CFS quota (a writable cpu controller was found, v1 or v2).</summary>
    public bool EnforcesCpuLimits => _cpuGroups is not null || _cgroupRoot is { IsV2: true, HasCpu: true };

    /// <summary>The folder of the class's CPU cgroup steps of <paramref name="priority"/> join (cgroup v1); null when there is none.</summary>
    public string? CpuGroupOf(Core.PriorityClass priority) => _cpuGroups is { Weighted: true } groups ? groups.GroupOf(priority) : null;

    /// <summary>The v1 cpu cgroup a step with a hard limit runs in (<see cref="CpuClassGroups.QuotaPath"/>); null when CPU limits go on the attempt's v2 cgroup or are not enforced.</summary>
    public string? CpuQuotaGroupOf(StepLaunch launch) => launch is null || _cpuGroups is null || _cgroupRoot is { IsV2: true, HasCpu: true } ? null : _cpuGroups.QuotaPath(launch.Priority, Tag(launch));

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

        if (launch.CpuLimitMillis > 0 && !EnforcesCpuLimits)
        {
            return Task.FromResult(StepStart.Failed($"resources.cpu_limit ({Core.Units.CpuAmounts.Format(launch.CpuLimitMillis)}) cannot be enforced here: no writable cpu cgroup controller (the v1 cpu hierarchy, or the cpu controller delegated on v2); the step was not started"));
        }

        // On v2 the attempt's one cgroup carries its class's weight and its quota; on v1 the quota has a cgroup of its own in the cpu hierarchy.
        var v2Cpu = _cgroupRoot is { IsV2: true, HasCpu: true };
        int? weight = _weighsCpu && v2Cpu ? CpuClassGroups.Weight(launch.Priority) : null;
        AttemptCgroup? cgroup = null;
        if (_cgroupRoot is not null && (launch.MemoryBytes > 0 || weight is not null || (v2Cpu && launch.CpuLimitMillis > 0)))
        {
            try
            {
                cgroup = AttemptCgroup.Create(_cgroupRoot, Tag(launch), launch.MemoryBytes, weight, v2Cpu ? launch.CpuLimitMillis : 0);
            }
            catch (IOException e)
            {
                return Task.FromResult(StepStart.Failed($"could not create the attempt's cgroup under '{_cgroupRoot.Path}': {e.Message}"));
            }
        }

        AttemptCgroup? quota = null;
        if (CpuQuotaGroupOf(launch) is { } quotaPath && launch.CpuLimitMillis > 0)
        {
            try
            {
                quota = AttemptCgroup.CreateCpuQuota(quotaPath, launch.CpuLimitMillis);
            }
            catch (IOException e)
            {
                _ = cgroup?.RemoveAsync(_time);
                return Task.FromResult(StepStart.Failed($"could not create the attempt's cpu cgroup '{quotaPath}' for resources.cpu_limit: {e.Message}"));
            }
        }

        var state = StateDirectory(launch);
        try
        {
            Directory.CreateDirectory(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(cgroup, quota);
            return Task.FromResult(StepStart.Failed($"could not create the attempt's state directory '{state}': {e.Message}"));
        }

        var statusFile = Path.Combine(state, PidFile.StatusFileName);
        var classGroup = _weighsCpu && !v2Cpu ? _cpuGroups?.ProcsFile(launch.Priority) : null;
        string[] arguments = [launch.Command, statusFile, cgroup?.ProcsFile ?? string.Empty, quota?.ProcsFile ?? classGroup ?? string.Empty];
        var pid = ShellSpawner.Spawn(Wrapper(launch.Command, cgroup is not null, quota is not null ? JoinCpuQuota : classGroup is not null ? JoinCpuGroup : string.Empty), arguments, Environment(launch), launch.WorkingDirectory, launch.LogPath);
        if (pid < 0)
        {
            Remove(cgroup, quota);
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
            Remove(cgroup, quota);
            return Task.FromResult(StepStart.Failed($"pidfd_open failed ({error}); the process executor needs Linux 5.3 or later"));
        }

        var record = new PidFile(pid, ProcStat.StartTime(pid) ?? 0, ProcStat.BootId, cgroup?.Path);
        var attempt = new ProcessAttempt(pid, isChild: true, state, cgroup, _time, removeState: _stateRoot is not null, quota, ThrottleLog(launch));
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
        var cgroup = record?.Cgroup is { } path ? new AttemptCgroup(path, _cgroupRoot?.IsV2 ?? File.Exists(Path.Combine(path, "memory.events"))) : null;
        // Where the quota group is depends on jobs.cpu_weights when it was made, which may have changed since.
        var quota = _cpuGroups?.QuotaPaths(launch.Priority, Tag(launch)).FirstOrDefault(Directory.Exists) is { } quotaPath ? new AttemptCgroup(quotaPath, IsV2: false) : null;
        if (record is not null && record.BootId == ProcStat.BootId)
        {
            var pidfd = LibC.PidfdOpen(record.Pid);
            if (pidfd >= 0)
            {
                // Read after opening the pidfd: a match means the pidfd holds the very process the file names.
                if (ProcStat.StartTime(record.Pid) == record.StartTime)
                {
                    var attempt = new ProcessAttempt(record.Pid, isChild: false, state, cgroup, _time, removeState, quota, ThrottleLog(launch));
                    ChildReaper.Shared.Watch(pidfd, attempt.OnExit);
                    return attempt;
                }

                LibC.close(pidfd);
            }
        }

        if (ProcScan.FindWrapper(Tag(launch)) is { } orphan)
        {
            // No pid file, or one cut short (the scheduler died between spawn and pid file): the wrapper, if it runs,
            // says by its environment which attempt it is.
            var pidfd = LibC.PidfdOpen(orphan);
            if (pidfd >= 0)
            {
                if (ProcScan.Runs(orphan, Tag(launch)))
                {
                    var attempt = new ProcessAttempt(orphan, isChild: false, state, cgroup ?? LeftCgroup(launch), _time, removeState, quota, ThrottleLog(launch));
                    ChildReaper.Shared.Watch(pidfd, attempt.OnExit);
                    return attempt;
                }

                LibC.close(pidfd);
            }
        }

        // Gone (or never recorded its pid: the scheduler died between spawn and pid file): only its status says how it
        // ended. Its cgroups go either way (with the attempt, or here when it never started or left no status).
        cgroup ??= LeftCgroup(launch);
        if (PidFile.TryReadStatus(state) is { } status)
        {
            return await ProcessAttempt.EndedAsync(record?.Pid ?? 0, status, state, cgroup, _time, removeState, quota, ThrottleLog(launch)).ConfigureAwait(false);
        }

        await Task.WhenAll(cgroup?.RemoveAsync(_time) ?? Task.CompletedTask, quota?.RemoveAsync(_time) ?? Task.CompletedTask).ConfigureAwait(false);
        return null;
    }

    /// <summary>The log a capped step's throttling is noted in when it ends; null for a step without a hard CPU limit.</summary>
    private static string? ThrottleLog(StepLaunch launch) => launch.CpuLimitMillis > 0 ? launch.LogPath : null;

    /// <summary>The attempt's cgroup under the root when one was made (a pid file names it, but may be missing or cut short); null for none.</summary>
    private AttemptCgroup? LeftCgroup(StepLaunch launch) =>
        _cgroupRoot is not null && Path.Combine(_cgroupRoot.Path, Tag(launch)) is var path && Directory.Exists(path) ? new AttemptCgroup(path, _cgroupRoot.IsV2) : null;

    /// <summary>
    /// The attempt's name in shared places (cgroups, the state folder, the wrapper's environment): its id and a hash of its
    /// directory. Attempt ids repeat across data folders (every folder's first run is <c>r1</c>), and schedulers on different
    /// folders share the cgroups they make; attempt directories do not repeat.
    /// </summary>
    private static string Tag(StepLaunch launch) =>
        launch.AttemptId + "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(launch.AttemptDirectory))))[..16];

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

        return Path.Combine(_stateRoot, Tag(launch));
    }

    /// <summary>The wrapper script: joins the attempt's cgroup (<c>$3</c>) and a CPU group (<c>$4</c>, by <paramref name="joinCpu"/>) when asked, then runs the command.</summary>
    private static string Wrapper(string command, bool attemptCgroup, string joinCpu)
    {
        var body = command.Contains("trap", StringComparison.Ordinal) || command.Contains("exec", StringComparison.Ordinal) ? InSubshell : InShell;
        return (attemptCgroup ? JoinCgroup : string.Empty) + joinCpu + body;
    }

    /// <summary>Removes the cgroups of an attempt that did not start (in the background: nothing runs in them).</summary>
    private void Remove(AttemptCgroup? cgroup, AttemptCgroup? quota)
    {
        _ = cgroup?.RemoveAsync(_time);
        _ = quota?.RemoveAsync(_time);
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
        extra[ProcScan.Variable] = Tag(launch);
        return ShellSpawner.Environment(extra);
    }
}
