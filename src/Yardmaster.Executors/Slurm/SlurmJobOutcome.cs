using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Slurm;

/// <summary>How an ended Slurm job is told to the scheduler. Pure.</summary>
internal static class SlurmJobOutcome
{
    /// <summary>
    /// The outcome of <paramref name="job"/>, or null while it has not ended. <paramref name="locator"/> names it in
    /// errors ("slurm job 12 on n1"); <paramref name="stopRequested"/> says Yardmaster cancelled it, so a
    /// <c>CANCELLED</c> job is a stop (killed by its signal, SIGTERM when Slurm gives none) rather than an error.
    /// </summary>
    public static StepExit? From(SlurmJobState job, string locator, bool stopRequested)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.HasEnded)
        {
            return null;
        }

        var reason = job.Reason is { } r ? $" ({r})" : "";
        return job.State switch
        {
            "COMPLETED" => new StepExit(job.ExitCode ?? 0, job.Signal),
            "FAILED" when job.ExitCode is > 0 || job.Signal is not null => new StepExit(job.ExitCode, job.Signal),
            "FAILED" => new StepExit(null, null, Error: $"{locator} failed without an exit status{reason}"),
            "CANCELLED" when stopRequested => new StepExit(null, job.Signal ?? 15),
            "CANCELLED" => new StepExit(null, job.Signal, Error: $"{locator} was cancelled outside Yardmaster (scancel){reason}"),
            "TIMEOUT" => new StepExit(null, job.Signal, TimedOut: true),
            "DEADLINE" => new StepExit(null, job.Signal, TimedOut: true),
            "OUT_OF_MEMORY" => new StepExit(null, null, OomKilled: true),
            "NODE_FAIL" => new StepExit(null, null, Error: $"{locator}: its node {job.Node ?? "(unknown)"} failed (NODE_FAIL); the job ended with it"),
            "PREEMPTED" => new StepExit(null, job.Signal, Preempted: true),
            "BOOT_FAIL" => new StepExit(null, null, Error: $"{locator}: its node {job.Node ?? "(unknown)"} failed to boot (BOOT_FAIL)"),
            _ => new StepExit(null, job.Signal, Error: $"{locator} ended in state {job.State}{reason}"),
        };
    }
}
