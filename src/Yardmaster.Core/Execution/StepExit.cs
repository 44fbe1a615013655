namespace Yardmaster.Core.Execution;

/// <summary>How an attempt ended, as the executor saw it. The scheduler adds what it knows (timeout, preemption, cancellation).</summary>
/// <param name="ExitCode">The exit status when it exited; null when killed by a signal or unknown.</param>
/// <param name="Signal">The signal that ended it (9 for SIGKILL); null when it exited.</param>
/// <param name="OomKilled">True when it was killed for exceeding its memory limit.</param>
/// <param name="Error">Set when the executor lost track of it or failed mid-way (the engine went away, its node failed); the attempt then failed.</param>
/// <param name="TimedOut">True when the engine ended it for its time limit (Slurm's <c>TIMEOUT</c>, Kubernetes' <c>DeadlineExceeded</c>).</param>
/// <param name="Preempted">True when the engine itself preempted it for other work (Slurm's <c>PREEMPTED</c>): the step is requeued without using a retry.</param>
public sealed record StepExit(int? ExitCode, int? Signal, bool OomKilled = false, string? Error = null, bool TimedOut = false, bool Preempted = false)
{
    /// <summary>Exited with status 0, not OOM-killed, no error.</summary>
    public bool Succeeded => ExitCode == 0 && Signal is null && !OomKilled && Error is null && !TimedOut && !Preempted;

    /// <summary>For a user: "exit 0", "exit 127 (command not found)", "killed by signal 9", "OOM-killed (memory limit 64 MiB)".</summary>
    public string Describe() => this switch
    {
        { Error: { } error } => error,
        { Preempted: true } => "preempted by the engine for other work",
        { OomKilled: true } => "OOM-killed: the step used more memory than its limit",
        { TimedOut: true } => "ended by the engine at its time limit",
        { Signal: { } signal } => $"killed by signal {signal}",
        { ExitCode: 127 } => "exit 127 (command not found)",
        { ExitCode: 126 } => "exit 126 (command not executable)",
        { ExitCode: { } code } => $"exit {code}",
        _ => "ended with an unknown status",
    };
}
