namespace Yardmaster.Tests.Kubernetes;

/// <summary>What the stand-in cluster makes of a Job's pod once it runs, as a test's script says.</summary>
public abstract record PodLife
{
    /// <summary>The stand-in's kubelet runs the container's command and args as a local process (no image: the host's <c>/bin/sh</c>), its output as the pod's log, its exit status as the container's.</summary>
    public sealed record RunCommand : PodLife;

    /// <summary>Writes <paramref name="Log"/>, then the container exits with <paramref name="ExitCode"/> (reason <c>Completed</c> or <c>Error</c>).</summary>
    public sealed record Exits(string Log, int ExitCode) : PodLife;

    /// <summary>Writes <paramref name="Log"/>, then the kernel kills the container for its memory limit: exit 137, reason <c>OOMKilled</c>.</summary>
    public sealed record OomKilled(string Log) : PodLife;

    /// <summary>Writes <paramref name="Log"/>, then the Job controller ends the Job at <c>activeDeadlineSeconds</c>: condition <c>Failed</c>, reason <c>DeadlineExceeded</c>, the pod terminated and deleted.</summary>
    public sealed record DeadlineExceeded(string Log) : PodLife;

    /// <summary>Writes <paramref name="Log"/> and keeps running until the test ends it (<see cref="StandInCluster.EndPod"/>) or it is deleted.</summary>
    public sealed record Forever(string Log) : PodLife;

    /// <summary>Stays <c>Pending</c> with its container waiting for <paramref name="Reason"/> (<c>ImagePullBackOff</c>).</summary>
    public sealed record Waiting(string Reason, string Message) : PodLife;
}
