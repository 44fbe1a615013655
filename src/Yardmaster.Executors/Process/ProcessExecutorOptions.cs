namespace Yardmaster.Executors.Process;

/// <summary>Options of the <see cref="ProcessExecutor"/>.</summary>
public sealed class ProcessExecutorOptions
{
    /// <summary>
    /// Whether steps with a memory limit run in a memory cgroup of their own, which enforces the limit and tells
    /// an OOM kill apart. Default true. Without cgroups (false, or none writable) limits are not enforced and
    /// steps run unlimited: see <see cref="ProcessExecutor.EnforcesMemoryLimits"/>.
    /// </summary>
    public bool MemoryLimits { get; set; } = true;

    /// <summary>
    /// The cgroup directory the attempts' cgroups are created in. Default null: auto-detected as a <c>yardmaster</c>
    /// directory inside the scheduler's own memory cgroup, e.g. <c>/sys/fs/cgroup/memory/yardmaster</c> on cgroup v1
    /// when the scheduler runs in the root cgroup, or inside its (delegated) cgroup on v2; limits are disabled when
    /// that directory cannot be created or written.
    /// </summary>
    public string? CgroupRoot { get; set; }

    /// <summary>
    /// Whether each step runs in the CPU cgroup of its priority class, weighted by the class against the scheduler's own
    /// threads (<see cref="CpuClassGroups"/>), so that the kernel slices the cores in favour of online work. Default true;
    /// steps run at the default weight when false or when no cpu controller is writable
    /// (<see cref="ProcessExecutor.WeighsCpu"/>).
    /// </summary>
    public bool CpuWeights { get; set; } = true;

    /// <summary>
    /// Where each attempt's bookkeeping (pid and status files) goes: a folder per attempt under it, removed when the
    /// scheduler has recorded the outcome and disposes the attempt. Default null: the attempt's own
    /// <see cref="Core.Execution.StepLaunch.AttemptDirectory"/>, kept. A RAM-backed folder (<c>/dev/shm/...</c>) spares
    /// each step the disk's file creations; it does not survive a reboot, after which no step still runs anyway
    /// (an attempt that ended just before it is then retried).
    /// </summary>
    public string? StateDirectory { get; set; }
}
