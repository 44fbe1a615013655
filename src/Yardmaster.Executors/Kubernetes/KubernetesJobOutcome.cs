using k8s.Models;
using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>How an attempt's Job ended, read from the Job's conditions and its pod's container status. Pure.</summary>
internal static class KubernetesJobOutcome
{
    /// <summary>
    /// The outcome once the Job has a <c>Complete</c> or <c>Failed</c> condition; null while it runs. The exit code and
    /// <c>OOMKilled</c> come from the container's terminated state; a <c>Failed</c> Job with reason
    /// <c>DeadlineExceeded</c> timed out (the pod may be gone by then, so the exit code may be unknown). A failed Job
    /// whose container never ran (evicted, rejected by its node) or whose pod is gone is an error naming the reason.
    /// </summary>
    public static StepExit? Read(V1Job job, V1Pod? pod)
    {
        ArgumentNullException.ThrowIfNull(job);
        var name = job.Metadata?.Name ?? "?";
        var terminated = Terminated(pod);
        if (Condition(job, "Complete") is not null)
        {
            return new StepExit(terminated?.ExitCode ?? 0, null);
        }

        if (Condition(job, "Failed") is not { } failed)
        {
            return null;
        }

        var oom = string.Equals(terminated?.Reason, "OOMKilled", StringComparison.Ordinal);
        if (string.Equals(failed.Reason, "DeadlineExceeded", StringComparison.Ordinal))
        {
            return new StepExit(terminated?.ExitCode, null, oom, TimedOut: true);
        }

        if (terminated is not null)
        {
            return new StepExit(terminated.ExitCode, null, oom);
        }

        if (pod?.Status is { Phase: "Failed" } status)
        {
            return new StepExit(null, null, Error: $"pod {pod.Metadata?.Name} of Job {name} failed before its container ran: {status.Reason}: {status.Message}");
        }

        return new StepExit(null, null, Error: $"Job {name} failed ({failed.Reason}: {failed.Message}) and its pod's exit status is not available");
    }

    /// <summary>What a stopped attempt reports once its Job is gone: the last status seen of its container, or that none was.</summary>
    public static StepExit Stopped(string locator, V1Pod? lastPod) =>
        Terminated(lastPod) is { } terminated
            ? terminated.ExitCode is > 128 and <= 128 + 64
                ? new StepExit(null, terminated.ExitCode - 128, string.Equals(terminated.Reason, "OOMKilled", StringComparison.Ordinal))
                : new StepExit(terminated.ExitCode, null)
            : new StepExit(null, null, Error: $"{locator}: deleted on request before its exit status was seen");

    /// <summary>True once the step's container has started (running or ended), so its log can be read.</summary>
    public static bool Started(V1Pod? pod) =>
        Status(pod)?.State is { } state && (state.Running is not null || state.Terminated is not null);

    /// <summary>Why the step's container waits (<c>ImagePullBackOff</c>: message), for the log; null when it does not.</summary>
    public static string? Waiting(V1Pod? pod) =>
        Status(pod)?.State?.Waiting is { Reason: { } reason } waiting && reason != "ContainerCreating" ? $"{reason}: {waiting.Message}" : null;

    private static V1JobCondition? Condition(V1Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && string.Equals(c.Status, "True", StringComparison.OrdinalIgnoreCase));

    private static V1ContainerStateTerminated? Terminated(V1Pod? pod) => Status(pod)?.State?.Terminated;

    private static V1ContainerStatus? Status(V1Pod? pod) =>
        pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == KubernetesNames.Container);
}
