using k8s;
using k8s.Models;
using Yardmaster.Executors.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

/// <summary>The outcome from Job and pod status as a Kubernetes 1.31 API server writes them (<c>kubectl get -o json</c>, trimmed to metadata and status).</summary>
public sealed class KubernetesJobOutcomeTests
{
    private const string Running = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"yard-r1-train-1","namespace":"yard","resourceVersion":"48211"},
         "status":{"active":1,"ready":1,"startTime":"2026-12-05T04:10:02Z","terminating":0,"uncountedTerminatedPods":{}}}
        """;

    private const string Complete = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"yard-r1-train-1","namespace":"yard","resourceVersion":"48390"},
         "status":{"completionTime":"2026-12-05T04:11:40Z","conditions":[
           {"lastProbeTime":"2026-12-05T04:11:40Z","lastTransitionTime":"2026-12-05T04:11:40Z","message":"Reached expected number of succeeded pods","reason":"CompletionsReached","status":"True","type":"SuccessCriteriaMet"},
           {"lastProbeTime":"2026-12-05T04:11:40Z","lastTransitionTime":"2026-12-05T04:11:40Z","message":"Reached expected number of succeeded pods","reason":"CompletionsReached","status":"True","type":"Complete"}],
          "ready":0,"startTime":"2026-12-05T04:10:02Z","succeeded":1,"terminating":0,"uncountedTerminatedPods":{}}}
        """;

    private const string BackoffLimitExceeded = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"yard-r1-train-1","namespace":"yard","resourceVersion":"48402"},
         "status":{"conditions":[
           {"lastProbeTime":"2026-12-05T04:11:41Z","lastTransitionTime":"2026-12-05T04:11:41Z","message":"Job has reached the specified backoff limit","reason":"BackoffLimitExceeded","status":"True","type":"FailureTarget"},
           {"lastProbeTime":"2026-12-05T04:11:41Z","lastTransitionTime":"2026-12-05T04:11:41Z","message":"Job has reached the specified backoff limit","reason":"BackoffLimitExceeded","status":"True","type":"Failed"}],
          "failed":1,"ready":0,"startTime":"2026-12-05T04:10:02Z","terminating":0,"uncountedTerminatedPods":{}}}
        """;

    private const string FailureTargetOnly = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"yard-r1-train-1","namespace":"yard"},
         "status":{"active":0,"conditions":[
           {"lastProbeTime":"2026-12-05T04:11:41Z","lastTransitionTime":"2026-12-05T04:11:41Z","message":"Job has reached the specified backoff limit","reason":"BackoffLimitExceeded","status":"True","type":"FailureTarget"}],
          "ready":0,"startTime":"2026-12-05T04:10:02Z","terminating":1,"uncountedTerminatedPods":{"failed":["9c1d"]}}}
        """;

    private const string DeadlineExceeded = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"yard-r1-train-1","namespace":"yard"},
         "status":{"conditions":[
           {"lastProbeTime":"2026-12-05T04:40:02Z","lastTransitionTime":"2026-12-05T04:40:02Z","message":"Job was active longer than specified deadline","reason":"DeadlineExceeded","status":"True","type":"FailureTarget"},
           {"lastProbeTime":"2026-12-05T04:40:03Z","lastTransitionTime":"2026-12-05T04:40:03Z","message":"Job was active longer than specified deadline","reason":"DeadlineExceeded","status":"True","type":"Failed"}],
          "failed":1,"ready":0,"startTime":"2026-12-05T04:10:02Z","terminating":0,"uncountedTerminatedPods":{}}}
        """;

    private const string PodSucceeded = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"yard-r1-train-1-x7k2p","namespace":"yard"},
         "status":{"phase":"Succeeded","startTime":"2026-12-05T04:10:02Z","containerStatuses":[
           {"containerID":"containerd://4f0c","image":"docker.io/library/busybox:stable","imageID":"docker.io/library/busybox@sha256:db16","lastState":{},"name":"step","ready":false,"restartCount":0,"started":false,
            "state":{"terminated":{"containerID":"containerd://4f0c","exitCode":0,"finishedAt":"2026-12-05T04:11:39Z","reason":"Completed","startedAt":"2026-12-05T04:10:05Z"}}}]}}
        """;

    private const string PodExit2 = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"yard-r1-train-1-x7k2p","namespace":"yard"},
         "status":{"phase":"Failed","containerStatuses":[
           {"image":"docker.io/library/busybox:stable","imageID":"","lastState":{},"name":"step","ready":false,"restartCount":0,"started":false,
            "state":{"terminated":{"exitCode":2,"finishedAt":"2026-12-05T04:11:39Z","reason":"Error","startedAt":"2026-12-05T04:10:05Z"}}}]}}
        """;

    private const string PodOomKilled = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"yard-r1-train-1-x7k2p","namespace":"yard"},
         "status":{"phase":"Failed","containerStatuses":[
           {"image":"docker.io/library/python:3.12","imageID":"","lastState":{},"name":"step","ready":false,"restartCount":0,"started":false,
            "state":{"terminated":{"exitCode":137,"finishedAt":"2026-12-05T04:11:39Z","reason":"OOMKilled","startedAt":"2026-12-05T04:10:05Z"}}}]}}
        """;

    private const string PodEvicted = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"yard-r1-train-1-x7k2p","namespace":"yard"},
         "status":{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 8Gi.","startTime":"2026-12-05T04:10:02Z"}}
        """;

    private const string PodPullBackOff = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"yard-r1-train-1-x7k2p","namespace":"yard"},
         "status":{"phase":"Pending","containerStatuses":[
           {"image":"registry.example/missing:1","imageID":"","lastState":{},"name":"step","ready":false,"restartCount":0,"started":false,
            "state":{"waiting":{"message":"Back-off pulling image \"registry.example/missing:1\"","reason":"ImagePullBackOff"}}}]}}
        """;

    private static V1Job Job(string json) => KubernetesJson.Deserialize<V1Job>(json);

    private static V1Pod Pod(string json) => KubernetesJson.Deserialize<V1Pod>(json);

    [Fact]
    public void Read_RunningJob_IsNotEnded() => Assert.Null(KubernetesJobOutcome.Read(Job(Running), null));

    [Fact]
    public void Read_FailureTargetBeforeFailed_IsNotEndedYet() => Assert.Null(KubernetesJobOutcome.Read(Job(FailureTargetOnly), Pod(PodExit2)));

    [Fact]
    public void Read_CompleteJob_ExitZero()
    {
        var exit = KubernetesJobOutcome.Read(Job(Complete), Pod(PodSucceeded))!;

        Assert.True(exit.Succeeded);
        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public void Read_FailedJobWithAnExitCode_ThatCode()
    {
        var exit = KubernetesJobOutcome.Read(Job(BackoffLimitExceeded), Pod(PodExit2))!;

        Assert.Equal((2, false, false, (string?)null), (exit.ExitCode!.Value, exit.OomKilled, exit.TimedOut, exit.Error));
    }

    [Fact]
    public void Read_OomKilledContainer_OomKilledWith137()
    {
        var exit = KubernetesJobOutcome.Read(Job(BackoffLimitExceeded), Pod(PodOomKilled))!;

        Assert.True(exit.OomKilled);
        Assert.Equal(137, exit.ExitCode);
        Assert.False(exit.Succeeded);
    }

    [Fact]
    public void Read_DeadlineExceededWithThePodGone_TimedOutWithoutACode()
    {
        var exit = KubernetesJobOutcome.Read(Job(DeadlineExceeded), null)!;

        Assert.True(exit.TimedOut);
        Assert.Null(exit.ExitCode);
        Assert.Null(exit.Error);
    }

    [Fact]
    public void Read_EvictedPod_ErrorWithTheNodesReason()
    {
        var exit = KubernetesJobOutcome.Read(Job(BackoffLimitExceeded), Pod(PodEvicted))!;

        Assert.Contains("failed before its container ran: Evicted: The node was low on resource: ephemeral-storage", exit.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FailedJobWithThePodGone_ErrorWithTheJobsReason()
    {
        var exit = KubernetesJobOutcome.Read(Job(BackoffLimitExceeded), null)!;

        Assert.Equal("Job yard-r1-train-1 failed (BackoffLimitExceeded: Job has reached the specified backoff limit) and its pod's exit status is not available", exit.Error);
    }

    [Fact]
    public void Stopped_TerminatedBySigterm_ReportsTheSignal()
    {
        var pod = Pod(PodExit2);
        pod.Status.ContainerStatuses[0].State.Terminated.ExitCode = 143;

        Assert.Equal(15, KubernetesJobOutcome.Stopped("job yard/x", pod).Signal);
        Assert.Contains("deleted on request", KubernetesJobOutcome.Stopped("job yard/x", null).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Started_And_Waiting_FromTheContainerState()
    {
        Assert.True(KubernetesJobOutcome.Started(Pod(PodSucceeded)));
        Assert.False(KubernetesJobOutcome.Started(Pod(PodPullBackOff)));
        Assert.False(KubernetesJobOutcome.Started(Pod(PodEvicted)));
        Assert.Equal("ImagePullBackOff: Back-off pulling image \"registry.example/missing:1\"", KubernetesJobOutcome.Waiting(Pod(PodPullBackOff)));
        Assert.Null(KubernetesJobOutcome.Waiting(Pod(PodSucceeded)));
    }
}
