using System.Globalization;
using k8s.Models;

namespace Yardmaster.Tests.Kubernetes;

/// <summary>
/// The state behind the stand-in API server: Jobs, their pods, their logs, nodes, and the Job controller's and
/// kubelet's part of a Job's life, played as the test's <see cref="Life"/> says. Every change gets a new resource
/// version and a Job watch event. A pod gets its IP (<c>status.podIP</c>, <c>podIPs</c>, <c>hostIP</c>) when it runs:
/// 127.0.0.1 when its command runs as a local process (<see cref="PodLife.RunCommand"/>), where a server it starts
/// listens; else an address of the pod network 10.244.0.0/16, as a CNI plugin gives. A waiting pod has none.
/// Thread-safe (one lock).
/// </summary>
public sealed class StandInCluster : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, V1Job> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StandInPod> _pods = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, V1Job Job)> _events = [];
    private readonly CancellationTokenSource _closing = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version = 100;
    private int _podAddresses;

    /// <summary>Namespaces that exist; a Job elsewhere is refused with 404, as the API server does.</summary>
    public HashSet<string> Namespaces { get; } = new(StringComparer.Ordinal) { "default", "yard" };

    /// <summary>What each new Job's pod does. Default: run its command.</summary>
    public Func<V1Job, PodLife> Life { get; set; } = _ => new PodLife.RunCommand();

    /// <summary>The nodes <c>GET /api/v1/nodes</c> lists.</summary>
    public List<V1Node> Nodes { get; } = [];

    /// <summary>Every delete asked for: kind (<c>job</c>, <c>pod</c>), name, grace period and propagation policy as sent.</summary>
    public List<(string Kind, string Name, long? Grace, string? Propagation)> Deletes { get; } = [];

    /// <summary>A completed task when something changed after it was taken.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The Job as stored now; null when there is none.</summary>
    public V1Job? Job(string ns, string name)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(Key(ns, name));
        }
    }

    /// <summary>The Jobs of a namespace matching an equality label selector (<c>k=v,k2=v2</c>) and <c>metadata.name=</c> field selector.</summary>
    public List<V1Job> Jobs(string ns, string? labelSelector, string? fieldSelector)
    {
        lock (_gate)
        {
            return [.. _jobs.Values.Where(j => j.Metadata.NamespaceProperty == ns && Matches(j.Metadata, labelSelector, fieldSelector))];
        }
    }

    /// <summary>The pods of a namespace matching an equality label selector.</summary>
    public List<V1Pod> Pods(string ns, string? labelSelector)
    {
        lock (_gate)
        {
            return [.. _pods.Values.Select(p => p.Pod).Where(p => p.Metadata.NamespaceProperty == ns && Matches(p.Metadata, labelSelector, null))];
        }
    }

    /// <summary>The resource version now.</summary>
    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Job events after <paramref name="after"/> for Jobs matching the selectors.</summary>
    public List<(long Version, string Type, V1Job Job)> EventsAfter(long after, string ns, string? labelSelector, string? fieldSelector)
    {
        lock (_gate)
        {
            return [.. _events.Where(e => e.Version > after && e.Job.Metadata.NamespaceProperty == ns && Matches(e.Job.Metadata, labelSelector, fieldSelector))];
        }
    }

    /// <summary>Stores a new Job and its pod (Pending), then plays the pod's life in the background. Null when the name is taken.</summary>
    public V1Job? Create(string ns, V1Job job)
    {
        StandInPod pod;
        lock (_gate)
        {
            if (_jobs.ContainsKey(Key(ns, job.Metadata.Name)))
            {
                return null;
            }

            var now = DateTime.UtcNow;
            job.Metadata.NamespaceProperty = ns;
            job.Metadata.Uid = Guid.NewGuid().ToString();
            job.Metadata.CreationTimestamp = now;
            job.Status = new V1JobStatus { Active = 1, StartTime = now, Ready = 0 };
            var labels = new Dictionary<string, string>(job.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                ["batch.kubernetes.io/job-name"] = job.Metadata.Name,
                ["job-name"] = job.Metadata.Name,
            };
            var v1Pod = new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = job.Metadata.Name + "-" + Guid.NewGuid().ToString("N")[..5],
                    NamespaceProperty = ns,
                    Uid = Guid.NewGuid().ToString(),
                    CreationTimestamp = now,
                    Labels = labels,
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true }],
                },
                Spec = job.Spec.Template.Spec,
                Status = new V1PodStatus
                {
                    Phase = "Pending",
                    ContainerStatuses = [new V1ContainerStatus { Name = "step", Image = job.Spec.Template.Spec.Containers[0].Image, ImageID = "", Ready = false, RestartCount = 0, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }],
                },
            };
            pod = new StandInPod(v1Pod, job.Metadata.Name);
            _jobs[Key(ns, job.Metadata.Name)] = job;
            _pods[Key(ns, v1Pod.Metadata.Name)] = pod;
            Store("ADDED", job);
        }

        var life = Life(job);
        _ = Task.Run(() => PlayAsync(ns, pod, life));
        return job;
    }

    /// <summary>Ends the pod of Job <paramref name="job"/> (a <see cref="PodLife.Forever"/> one) with <paramref name="log"/> and an exit status.</summary>
    public void EndPod(string ns, string job, string log, int exitCode)
    {
        var pod = PodOf(ns, job) ?? throw new InvalidOperationException($"job {job} has no pod");
        pod.Append(log);
        Terminate(ns, pod, exitCode, exitCode == 0 ? "Completed" : "Error");
    }

    /// <summary>Deletes a Job as the API server and garbage collector do for <paramref name="propagation"/>; false when there is none.</summary>
    public bool DeleteJob(string ns, string name, long? grace, string? propagation)
    {
        lock (_gate)
        {
            Deletes.Add(("job", name, grace, propagation));
            if (!_jobs.TryGetValue(Key(ns, name), out var job))
            {
                return false;
            }

            if (propagation == "Foreground")
            {
                job.Metadata.DeletionTimestamp = DateTime.UtcNow;
                job.Metadata.Finalizers = ["foregroundDeletion"];
                Store("MODIFIED", job);
            }
            else
            {
                _jobs.Remove(Key(ns, name));
                Store("DELETED", job);
            }
        }

        // The garbage collector deletes the dependents with their own grace (terminationGracePeriodSeconds).
        if (propagation != "Orphan" && PodOf(ns, name) is { } pod)
        {
            BeginTermination(ns, pod, null);
        }

        RemoveJobIfPodsGone(ns, name);
        return true;
    }

    /// <summary>Deletes a pod with <paramref name="grace"/> (null: its terminationGracePeriodSeconds); false when there is none.</summary>
    public bool DeletePod(string ns, string name, long? grace)
    {
        StandInPod? pod;
        lock (_gate)
        {
            Deletes.Add(("pod", name, grace, null));
            pod = _pods.GetValueOrDefault(Key(ns, name));
        }

        if (pod is null)
        {
            return false;
        }

        BeginTermination(ns, pod, grace);
        return true;
    }

    /// <summary>The pod's log entries and whether its container has started and ended; null when there is no such pod.</summary>
    public StandInPod? Pod(string ns, string name)
    {
        lock (_gate)
        {
            return _pods.GetValueOrDefault(Key(ns, name));
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        lock (_gate)
        {
            foreach (var pod in _pods.Values)
            {
                pod.Dispose();
            }
        }

        _closing.Dispose();
    }

    private StandInPod? PodOf(string ns, string job)
    {
        lock (_gate)
        {
            return _pods.Values.FirstOrDefault(p => p.JobName == job && p.Pod.Metadata.NamespaceProperty == ns);
        }
    }

    private async Task PlayAsync(string ns, StandInPod pod, PodLife life)
    {
        if (life is PodLife.Waiting waiting)
        {
            Update(ns, pod, () => pod.Pod.Status.ContainerStatuses[0].State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting.Reason, Message = waiting.Message } });
            return;
        }

        var ip = life is PodLife.RunCommand ? "127.0.0.1" : PodNetworkAddress();
        Update(ns, pod, () =>
        {
            pod.Pod.Status.Phase = "Running";
            pod.Pod.Status.HostIP = "127.0.0.1";
            pod.Pod.Status.PodIP = ip;
            pod.Pod.Status.PodIPs = [new V1PodIP { Ip = ip }];
            pod.Pod.Status.StartTime = DateTime.UtcNow;
            pod.Pod.Status.ContainerStatuses[0].State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } };
            pod.Pod.Status.ContainerStatuses[0].Ready = true;
            pod.Pod.Status.ContainerStatuses[0].Started = true;
            pod.Started = true;
        });
        switch (life)
        {
            case PodLife.RunCommand:
                var code = await pod.RunAsync(_closing.Token);
                Terminate(ns, pod, code, code == 0 ? "Completed" : "Error");
                break;
            case PodLife.Exits exit:
                pod.Append(exit.Log);
                Terminate(ns, pod, exit.ExitCode, exit.ExitCode == 0 ? "Completed" : "Error");
                break;
            case PodLife.OomKilled oom:
                pod.Append(oom.Log);
                Terminate(ns, pod, 137, "OOMKilled");
                break;
            case PodLife.DeadlineExceeded deadline:
                pod.Append(deadline.Log);
                ExceedDeadline(ns, pod);
                break;
            case PodLife.Forever forever:
                pod.Append(forever.Log);
                break;
        }
    }

    /// <summary>The next address of the pod network 10.244.0.0/16 (from 10.244.0.2, as a node's CNI range hands them out).</summary>
    private string PodNetworkAddress()
    {
        var n = Interlocked.Increment(ref _podAddresses) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"10.244.{n / 256 % 256}.{n % 256}");
    }

    /// <summary>The container ended: pod Succeeded or Failed, then the Job controller's conditions (as of Kubernetes 1.31).</summary>
    private void Terminate(string ns, StandInPod pod, int exitCode, string reason)
    {
        lock (_gate)
        {
            if (pod.Ended)
            {
                return;
            }

            SetTerminated(pod, exitCode, reason);
            Store("MODIFIED", null);
            if (!_jobs.TryGetValue(Key(ns, pod.JobName), out var job) || job.Metadata.DeletionTimestamp is not null)
            {
                return;
            }

            var now = DateTime.UtcNow;
            job.Status.Active = 0;
            job.Status.Ready = 0;
            job.Status.Conditions = exitCode == 0
                ?
                [
                    new V1JobCondition { Type = "SuccessCriteriaMet", Status = "True", Reason = "CompletionsReached", Message = "Reached expected number of succeeded pods", LastProbeTime = now, LastTransitionTime = now },
                    new V1JobCondition { Type = "Complete", Status = "True", Reason = "CompletionsReached", Message = "Reached expected number of succeeded pods", LastProbeTime = now, LastTransitionTime = now },
                ]
                :
                [
                    new V1JobCondition { Type = "FailureTarget", Status = "True", Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit", LastProbeTime = now, LastTransitionTime = now },
                    new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit", LastProbeTime = now, LastTransitionTime = now },
                ];
            if (exitCode == 0)
            {
                job.Status.Succeeded = 1;
                job.Status.CompletionTime = now;
            }
            else
            {
                job.Status.Failed = 1;
            }

            Store("MODIFIED", job);
        }
    }

    private void ExceedDeadline(string ns, StandInPod pod)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(Key(ns, pod.JobName), out var job))
            {
                var now = DateTime.UtcNow;
                job.Status.Active = 0;
                job.Status.Ready = 0;
                job.Status.Failed = 1;
                job.Status.Conditions =
                [
                    new V1JobCondition { Type = "FailureTarget", Status = "True", Reason = "DeadlineExceeded", Message = "Job was active longer than specified deadline", LastProbeTime = now, LastTransitionTime = now },
                    new V1JobCondition { Type = "Failed", Status = "True", Reason = "DeadlineExceeded", Message = "Job was active longer than specified deadline", LastProbeTime = now, LastTransitionTime = now },
                ];
                Store("MODIFIED", job);
            }
        }

        // The controller deletes the active pod; it is gone before the executor can read its status.
        Kill(ns, pod);
    }

    /// <summary>
    /// The kubelet's side of a pod deletion: an ended container's pod goes at once; a running one (these containers
    /// ignore SIGTERM) is killed with SIGKILL (exit 137) when the grace is over, the shortest grace asked for winning.
    /// </summary>
    private void BeginTermination(string ns, StandInPod pod, long? grace)
    {
        var seconds = grace ?? pod.Pod.Spec.TerminationGracePeriodSeconds ?? 30;
        lock (_gate)
        {
            if (pod.Ended)
            {
                seconds = 0;
            }

            pod.Pod.Metadata.DeletionTimestamp ??= DateTime.UtcNow;
            pod.Pod.Metadata.DeletionGracePeriodSeconds = Math.Min(seconds, pod.Pod.Metadata.DeletionGracePeriodSeconds ?? long.MaxValue);
            Store("MODIFIED", null);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds), _closing.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Kill(ns, pod, 137);
            RemoveJobIfPodsGone(ns, pod.JobName);
        });
    }

    private void Kill(string ns, StandInPod pod, int exitCode = 143)
    {
        pod.Stop();
        lock (_gate)
        {
            if (!pod.Ended)
            {
                SetTerminated(pod, exitCode, "Error");
            }

            _pods.Remove(Key(ns, pod.Pod.Metadata.Name));
            Store("MODIFIED", null);
        }
    }

    private void RemoveJobIfPodsGone(string ns, string name)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(Key(ns, name), out var job) && job.Metadata.DeletionTimestamp is not null
                && !_pods.Values.Any(p => p.JobName == name && p.Pod.Metadata.NamespaceProperty == ns))
            {
                _jobs.Remove(Key(ns, name));
                Store("DELETED", job);
            }
        }
    }

    private static void SetTerminated(StandInPod pod, int exitCode, string reason)
    {
        var status = pod.Pod.Status.ContainerStatuses[0];
        status.State = new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated
            {
                ExitCode = exitCode,
                Reason = reason,
                StartedAt = status.State?.Running?.StartedAt ?? DateTime.UtcNow,
                FinishedAt = DateTime.UtcNow,
                ContainerID = "containerd://" + Guid.NewGuid().ToString("N"),
            },
        };
        status.Ready = false;
        status.Started = false;
        pod.Pod.Status.Phase = exitCode == 0 ? "Succeeded" : "Failed";
        pod.Ended = true;
    }

    private void Update(string ns, StandInPod pod, Action change)
    {
        lock (_gate)
        {
            change();
            if (_jobs.TryGetValue(Key(ns, pod.JobName), out var job) && pod.Started)
            {
                job.Status.Ready = 1;
                Store("MODIFIED", job);
            }
            else
            {
                Store("MODIFIED", null);
            }
        }
    }

    /// <summary>A new resource version; a Job event when <paramref name="job"/> is given; wakes watchers and log followers. Under the lock.</summary>
    private void Store(string type, V1Job? job)
    {
        _version++;
        if (job is not null)
        {
            job.Metadata.ResourceVersion = _version.ToString(CultureInfo.InvariantCulture);
            _events.Add((_version, type, k8s.KubernetesJson.Deserialize<V1Job>(k8s.KubernetesJson.Serialize(job))));
        }

        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private static bool Matches(V1ObjectMeta meta, string? labelSelector, string? fieldSelector)
    {
        foreach (var term in (labelSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (term.Split('=')[0], term.Split('=')[^1]);
            if (meta.Labels is null || !meta.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var term in (fieldSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (term.Split('=') is not ["metadata.name", var name] || meta.Name != name)
            {
                return false;
            }
        }

        return true;
    }

    private static string Key(string ns, string name) => ns + "/" + name;
}
